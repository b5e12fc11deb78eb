// The seed article's keyword router, reproduced as written, as the baseline for the routing bench.
// Substring tests on the lower-cased prompt (as in the article's `k in prompt_lower`), coding first.

const CODING = ['code', 'python', 'javascript', 'bash', 'script', 'function', 'bug', 'error', 'html', 'css'];
const REASONING = ['think', 'analyze', 'explain in detail', 'reasoning', 'logic', 'deduce'];

/** Routes like the article's if / elif / else: coder, reasoning or simple model. */
export function keywordRoute(prompt: string, models = { coding: 'qwen-coder', reasoning: 'gpt-4o', simple: 'gemini-flash' }): string {
  const p = prompt.toLowerCase();
  if (CODING.some((k) => p.includes(k))) return models.coding;
  if (prompt.length > 400 || REASONING.some((k) => p.includes(k))) return models.reasoning;
  return models.simple;
}
