// `semroute train`: embed labelled prompts with the config's embedder and write a knn / kmeans / svm /
// mlp selector model file for `algorithm.<type>.model_path`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  embedAll,
  getSelectorFactory,
  loadConfig,
  loadEmbedder,
  MemoryStateStore,
  parseTrainingJsonl,
  TRAINED_ALGORITHMS,
  trainSelectorModel,
  type TrainedAlgorithm,
  type TrainOptions,
} from '@semroute/router';
import { processIo, reportError, UserError, type Io } from '../io.js';
import { defaultConfigPath, defaultModelDir } from '../paths.js';
import type { RouterDeps } from '../router-factory.js';

export interface TrainCommandOptions {
  config?: string;
  algorithm: TrainedAlgorithm;
  data: string;
  out: string;
  seed: number;
  k?: number;
  clusters?: number;
  epochs?: number;
  hidden?: number;
}

export function registerTrain(program: Command, io: Io = processIo, deps: RouterDeps = {}): void {
  program
    .command('train')
    .description('train a knn / kmeans / svm / mlp selector from labelled prompts (JSONL {"text"|"prompt", "model"})')
    .option('-c, --config <file>', 'router config (YAML) whose embedder and cards are used; default: the bundled seed config')
    .addOption(new Option('-a, --algorithm <type>', 'selector to train').choices([...TRAINED_ALGORITHMS]).makeOptionMandatory())
    .requiredOption('-d, --data <file>', 'training data, JSONL')
    .requiredOption('-o, --out <file>', 'model file to write (JSON)')
    .option('--seed <n>', 'random seed', (v) => parseInteger(v, '--seed', 0), 42)
    .option('--k <n>', 'knn: neighbours', (v) => parseInteger(v, '--k', 1))
    .option('--clusters <n>', 'kmeans: clusters (default 2 per label)', (v) => parseInteger(v, '--clusters', 1))
    .option('--epochs <n>', 'svm / mlp: passes over the data', (v) => parseInteger(v, '--epochs', 1))
    .option('--hidden <n>', 'mlp: hidden units', (v) => parseInteger(v, '--hidden', 1))
    .action(async (opts: TrainCommandOptions) => {
      process.exitCode = await runTrain(opts, io, deps);
    });
}

/** Runs the command; returns the exit code. */
export async function runTrain(opts: TrainCommandOptions, io: Io, deps: RouterDeps = {}): Promise<number> {
  try {
    const env = deps.env ?? process.env;
    const loaded = await loadConfig(opts.config ?? defaultConfigPath, { env });
    const examples = readExamples(await readText(opts.data), opts.data);
    const cards = new Set(loaded.config.routing.modelCards.map((c) => c.name));
    const unknown = [...new Set(examples.map((e) => e.label).filter((l) => !cards.has(l)))];
    if (unknown.length > 0) {
      throw new UserError(`${opts.data}: labels ${unknown.map((l) => `"${l}"`).join(', ')} are not model cards of the config (cards: ${[...cards].join(', ')})`);
    }

    const embedder = deps.embedder ?? (await loadEmbedder(loaded, defaultModelDir(env)));
    const instruction = loaded.config.embedding.query_instruction;
    // Prompts are embedded exactly as the router embeds them at route time.
    const texts = examples.map((e) => (instruction ? `${instruction}${e.text}` : e.text));
    const started = performance.now();
    const vectors = await embedAll(embedder, texts, loaded.config.embedding.max_batch);
    const trainOpts: TrainOptions = { seed: opts.seed, embedder: `${embedder.info.architecture}/${embedder.info.dim}` };
    if (opts.k !== undefined) trainOpts.k = opts.k;
    if (opts.clusters !== undefined) trainOpts.clusters = opts.clusters;
    if (opts.epochs !== undefined) trainOpts.epochs = opts.epochs;
    if (opts.hidden !== undefined) trainOpts.hidden = opts.hidden;
    const model = trainSelectorModel(
      opts.algorithm,
      examples.map((e, i) => ({ embedding: vectors[i] as Float32Array, label: e.label })),
      trainOpts,
    );
    const out = path.resolve(opts.out);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(model)}\n`);

    const accuracy = await trainingAccuracy(opts.algorithm, out, vectors, examples.map((e) => e.label), model.labels);
    const rel = path.relative(loaded.configDir, out) || out;
    io.out(
      JSON.stringify({
        written: out,
        algorithm: opts.algorithm,
        examples: examples.length,
        labels: model.labels,
        dim: model.dim,
        training_accuracy: Number(accuracy.toFixed(4)),
        seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
        use: { algorithm: { type: opts.algorithm, [opts.algorithm]: { model_path: rel } } },
      }),
    );
    return 0;
  } catch (err) {
    return reportError(err, io, Boolean(process.env.SEMROUTE_DEBUG));
  }
}

/** Share of the training prompts the written model routes back to their label (a sanity figure, not a test score). */
async function trainingAccuracy(algorithm: TrainedAlgorithm, file: string, vectors: Float32Array[], labels: string[], cards: string[]): Promise<number> {
  const factory = getSelectorFactory(algorithm);
  if (!factory) throw new Error(`no selector ${algorithm}`);
  const selector = await factory.create(factory.params.parse({ model_path: file }), { configDir: path.dirname(file) });
  const state = new MemoryStateStore();
  const candidates = cards.map((model) => ({ model, similarity: 0, weight: 1 }));
  let ok = 0;
  for (const [i, v] of vectors.entries()) {
    const r = await selector.select({ decision: 'train', candidates, promptEmbedding: v, promptText: '', promptTokens: 0, state, rng: () => 0.5, now: () => 0 });
    if (r.model === labels[i]) ok++;
  }
  return ok / vectors.length;
}

function readExamples(text: string, file: string): ReturnType<typeof parseTrainingJsonl> {
  try {
    return parseTrainingJsonl(text, file);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'file not found' : (err as Error).message}`);
  }
}

function parseInteger(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} expects an integer >= ${min}, got "${v}"`);
  return n;
}
