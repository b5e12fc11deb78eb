// Mean-pooled sentence embeddings barely see word order: "convert Celsius to Fahrenheit" and
// "convert Fahrenheit to Celsius" score 0.995 with MiniLM, above any useful threshold. Such a pair
// has the same words in another order, which text comparison sees at once.

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** True when `a` and `b` use exactly the same words, but in a different order. */
export function reordersWords(a: string, b: string): boolean {
  const wa = words(a);
  const wb = words(b);
  if (wa.length !== wb.length) return false;
  if (wa.every((w, i) => w === wb[i])) return false;
  const sa = [...wa].sort();
  const sb = [...wb].sort();
  return sa.every((w, i) => w === sb[i]);
}
