// `semroute route`: one prompt -> one JSON decision; or --input FILE.jsonl -> one decision per line,
// with one loaded model and batched embedding.
import { InvalidArgumentError, type Command } from 'commander';
import { parseChatRequest, type ChatCompletionRequest, type RouteDecision, type Router } from '@semroute/router';
import { processIo, reportError, UserError, type Io } from '../io.js';
import { openRouter, type RouterDeps } from '../router-factory.js';
import { readUserFile } from '../files.js';

export interface RouteOptions {
  config?: string;
  input?: string;
  model: string;
  pretty?: boolean;
  batchSize: number;
}

/** Lines embedded per routeBatch call (bounded memory, output streams as it goes). */
const DEFAULT_BATCH = 64;

export function registerRoute(program: Command, io: Io = processIo, deps: RouterDeps = {}): void {
  program
    .command('route')
    .description('route a prompt (or a JSONL file of requests) and print the decision as JSON')
    .argument('[prompt...]', 'the prompt text')
    .option('-c, --config <file>', 'router config (YAML); default: the bundled seed config')
    .option('-i, --input <file>', 'JSONL file ("-" for stdin): one {"prompt": ...} or {"messages": [...]} per line')
    .option('-m, --model <name>', 'model name sent with the prompt (an auto name routes)', 'MoM')
    .option('--pretty', 'indent the JSON output')
    .option('--batch-size <n>', 'requests per embedding batch with --input', (v) => parsePositive(v, '--batch-size'), DEFAULT_BATCH)
    .action(async (words: string[], opts: RouteOptions) => {
      process.exitCode = await runRoute(words.join(' '), opts, io, deps);
    });
}

/** Runs the command; returns the exit code. */
export async function runRoute(prompt: string, opts: RouteOptions, io: Io, deps: RouterDeps = {}): Promise<number> {
  let router: Router | undefined;
  try {
    if (opts.input === undefined && prompt.trim() === '') throw new UserError('give a prompt, or --input FILE.jsonl');
    if (opts.input !== undefined && prompt.trim() !== '') throw new UserError('give either a prompt or --input, not both');
    const lines = opts.input !== undefined ? await readLines(opts.input) : undefined;
    ({ router } = await openRouter(opts.config, deps));
    const show = (d: unknown) => io.out(JSON.stringify(d, null, opts.pretty ? 2 : undefined));
    if (lines === undefined) {
      show(await router.route({ model: opts.model, messages: [{ role: 'user', content: prompt }] }));
      return 0;
    }
    return await routeLines(router, lines, opts, show);
  } catch (err) {
    return reportError(err, io, Boolean(process.env.SEMROUTE_DEBUG));
  } finally {
    await router?.close();
  }
}

async function readLines(file: string): Promise<string[]> {
  return (await readUserFile(file, 'input')).split(/\r?\n/);
}

type Parsed = { line: number; id?: unknown; request?: ChatCompletionRequest; error?: string };

/** Turns one JSONL line into a chat request, or says what is wrong with it. */
export function parseLine(text: string, line: number, defaultModel: string): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { line, error: `line ${line}: not JSON (${(err as Error).message})` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { line, error: `line ${line}: expected a JSON object` };
  const o = v as Record<string, unknown>;
  const id = o.id;
  const model = typeof o.model === 'string' ? o.model : defaultModel;
  if (typeof o.prompt === 'string') {
    return { line, id, request: { model, messages: [{ role: 'user', content: o.prompt }] } };
  }
  if (Array.isArray(o.messages)) {
    const parsed = parseChatRequest({ ...o, model });
    return parsed.ok ? { line, id, request: parsed.request } : { line, id, error: `line ${line}: ${parsed.issue.message}` };
  }
  return { line, id, error: `line ${line}: expected a "prompt" string or a "messages" array` };
}

async function routeLines(router: Router, lines: string[], opts: RouteOptions, show: (d: unknown) => void): Promise<number> {
  const parsed: Parsed[] = [];
  lines.forEach((t, i) => {
    if (t.trim() !== '') parsed.push(parseLine(t, i + 1, opts.model));
  });
  let failed = 0;
  for (let i = 0; i < parsed.length; i += opts.batchSize) {
    const chunk = parsed.slice(i, i + opts.batchSize);
    const ok = chunk.filter((p) => p.request);
    const decisions = ok.length > 0 ? await router.routeBatch(ok.map((p) => p.request!)) : [];
    const byLine = new Map<number, RouteDecision>(ok.map((p, k) => [p.line, decisions[k]!]));
    for (const p of chunk) {
      const withId = (o: object) => (p.id !== undefined ? { id: p.id, ...o } : o);
      if (p.error) {
        failed++;
        show(withId({ line: p.line, error: p.error }));
      } else show(withId(byLine.get(p.line)!));
    }
  }
  return failed > 0 ? 1 : 0;
}

function parsePositive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive integer, got "${v}"`);
  return n;
}
