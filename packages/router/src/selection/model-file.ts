// The model file written by `semroute train` and read by the knn / kmeans / svm / mlp selectors.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SelectionError } from './errors.js';

export const TRAINED_ALGORITHMS = ['knn', 'kmeans', 'svm', 'mlp'] as const;
export type TrainedAlgorithm = (typeof TRAINED_ALGORITHMS)[number];

const vec = z.array(z.number().finite());
const mat = z.array(vec);

const knnModel = z.object({ k: z.number().int().positive(), vectors: mat, label_index: z.array(z.number().int().nonnegative()) });
const kmeansModel = z.object({ centroids: mat, label_counts: mat });
const svmModel = z.object({ weights: mat, bias: vec });
const mlpModel = z.object({ w1: mat, b1: vec, w2: mat, b2: vec });

const header = {
  format: z.literal('semroute-selector-model'),
  version: z.literal(1),
  dim: z.number().int().positive(),
  labels: z.array(z.string().min(1)).min(1),
  training: z.object({ examples: z.number().int().nonnegative(), seed: z.number(), embedder: z.string().optional() }).optional(),
};

const modelFileSchema = z
  .discriminatedUnion('algorithm', [
    z.object({ ...header, algorithm: z.literal('knn'), model: knnModel }),
    z.object({ ...header, algorithm: z.literal('kmeans'), model: kmeansModel }),
    z.object({ ...header, algorithm: z.literal('svm'), model: svmModel }),
    z.object({ ...header, algorithm: z.literal('mlp'), model: mlpModel }),
  ])
  .superRefine((f, ctx) => {
    const L = f.labels.length;
    const D = f.dim;
    const shape = (rows: number[][], nRows: number | undefined, nCols: number, path: string): void => {
      if (nRows !== undefined && rows.length !== nRows) ctx.addIssue({ code: 'custom', path: ['model', path], message: `expected ${nRows} rows, got ${rows.length}` });
      rows.forEach((r, i) => {
        if (r.length !== nCols) ctx.addIssue({ code: 'custom', path: ['model', path, i], message: `expected ${nCols} values, got ${r.length}` });
      });
    };
    const length = (v: number[], n: number, path: string): void => {
      if (v.length !== n) ctx.addIssue({ code: 'custom', path: ['model', path], message: `expected ${n} values, got ${v.length}` });
    };
    switch (f.algorithm) {
      case 'knn':
        shape(f.model.vectors, undefined, D, 'vectors');
        length(f.model.label_index, f.model.vectors.length, 'label_index');
        if (f.model.label_index.some((i) => i >= L)) ctx.addIssue({ code: 'custom', path: ['model', 'label_index'], message: `label index out of range 0..${L - 1}` });
        break;
      case 'kmeans':
        shape(f.model.centroids, undefined, D, 'centroids');
        shape(f.model.label_counts, f.model.centroids.length, L, 'label_counts');
        break;
      case 'svm':
        shape(f.model.weights, L, D, 'weights');
        length(f.model.bias, L, 'bias');
        break;
      case 'mlp': {
        const H = f.model.b1.length;
        shape(f.model.w1, H, D, 'w1');
        shape(f.model.w2, L, H, 'w2');
        length(f.model.b2, L, 'b2');
        break;
      }
    }
  });

export type SelectorModelFile = z.infer<typeof modelFileSchema>;

/** Validates parsed JSON as a model file; throws SelectionError naming every problem. */
export function parseModelFile(json: unknown, source: string): SelectorModelFile {
  const r = modelFileSchema.safeParse(json);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new SelectionError('SELECTOR_MODEL_INVALID', `selector model ${source} is not a valid semroute model file: ${problems.join('; ')}`);
}

/** Reads and validates a model file, checking it was trained for `algorithm`. */
export async function loadModelFile(path: string, algorithm: TrainedAlgorithm): Promise<SelectorModelFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(cause)})`;
    throw new SelectionError('SELECTOR_MODEL_INVALID', `${algorithm}: model file ${path} ${why}; create it with \`semroute train --algorithm ${algorithm}\``, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SelectionError('SELECTOR_MODEL_INVALID', `${algorithm}: model file ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const file = parseModelFile(json, path);
  if (file.algorithm !== algorithm) {
    throw new SelectionError('SELECTOR_MODEL_INVALID', `${algorithm}: model file ${path} was trained for ${file.algorithm}, not ${algorithm}`);
  }
  return file;
}
