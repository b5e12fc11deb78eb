// The bundled task library: a taxonomy of task types (library/taxonomy.json) and labelled example
// prompts per type (library/prompts/<id>.jsonl), read from the package's own files, never the network.
// Every prompt line is `{text, source, split}`; `split: heldout` lines are kept for evaluation and are
// never loaded for routing. Errors name the file and the line.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The library shipped inside @semroute/router (`<package>/library`, beside src/ and dist/). */
export const BUNDLED_LIBRARY_DIR = fileURLToPath(new URL('../../library/', import.meta.url));

export interface TaskType {
  id: string;
  group: string;
  /** Further groups (with a text) the task also belongs to, e.g. an email is writing and an everyday chore. */
  also?: string[];
  name: string;
  description: string;
}

/** A family of task types; its text lets a card that names the family ("math") reach every member. */
export interface TaskGroup {
  id: string;
  name: string;
  description: string;
}

export interface TaskPrompt {
  text: string;
  /** Index into `TaskLibrary.tasks`. */
  task: number;
  source: string;
}

export interface TaskLibrary {
  dir: string;
  /** `taxonomy.json`'s version. */
  version: string;
  /** sha256 of every file's content: identifies the data, e.g. for vector caches. */
  hash: string;
  tasks: TaskType[];
  /** Groups with a text of their own (tasks of other groups have none). */
  groups: TaskGroup[];
  prompts: TaskPrompt[];
}

export type LibrarySplit = 'library' | 'heldout' | 'all';

export class TaskLibraryError extends Error {
  readonly code = 'TASK_LIBRARY_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskLibraryError';
  }
}

const taskId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a lower-case id of letters, digits and dashes' });
const taxonomySchema = z.object({
  version: z.string().min(1),
  groups: z.array(z.object({ id: taskId, name: z.string().min(1), description: z.string().min(1) })).default([]),
  tasks: z
    .array(
      z.object({
        id: taskId,
        group: z.string().min(1),
        also: z.array(z.string().min(1)).default([]),
        name: z.string().min(1),
        description: z.string().min(1),
      }),
    )
    .min(1),
});
const promptLine = z.object({
  text: z.string().trim().min(1),
  source: z.string().min(1),
  split: z.enum(['library', 'heldout']),
});

/** Reads and validates a task library directory (default: the bundled one). */
export function loadTaskLibrary(options: { dir?: string; split?: LibrarySplit } = {}): TaskLibrary {
  const dir = path.resolve(options.dir ?? BUNDLED_LIBRARY_DIR);
  const split = options.split ?? 'library';
  const hash = createHash('sha256');
  const taxonomyFile = path.join(dir, 'taxonomy.json');
  const taxonomyText = readText(taxonomyFile);
  hash.update(taxonomyText);
  let raw: unknown;
  try {
    raw = JSON.parse(taxonomyText);
  } catch (err) {
    throw new TaskLibraryError(`${taxonomyFile}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = taxonomySchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new TaskLibraryError(`${taxonomyFile}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const tasks = parsed.data.tasks;
  const index = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (index.has(t.id)) throw new TaskLibraryError(`${taxonomyFile}: tasks[${i}].id: duplicate task id "${t.id}"`);
    index.set(t.id, i);
    t.also.forEach((g, j) => {
      if (!parsed.data.groups.some((x) => x.id === g)) {
        throw new TaskLibraryError(`${taxonomyFile}: tasks[${i}].also[${j}]: "${g}" is not a group of taxonomy.json (groups[].id)`);
      }
      if (g === t.group) throw new TaskLibraryError(`${taxonomyFile}: tasks[${i}].also[${j}]: "${g}" is the task's own group`);
    });
  });

  const promptDir = path.join(dir, 'prompts');
  const files = new Set(listJsonl(promptDir));
  const prompts: TaskPrompt[] = [];
  for (const [ti, t] of tasks.entries()) {
    const file = path.join(promptDir, `${t.id}.jsonl`);
    if (!files.delete(`${t.id}.jsonl`)) throw new TaskLibraryError(`${file}: missing: task "${t.id}" of taxonomy.json has no prompt file`);
    const text = readText(file);
    hash.update(`\u0000${t.id}\u0000`).update(text);
    text.split('\n').forEach((line, n) => {
      if (line.trim() === '') return;
      const p = parseLine(line, `${file}:${n + 1}`);
      if (split === 'all' || p.split === split) prompts.push({ text: p.text, task: ti, source: p.source });
    });
  }
  if (files.size > 0) {
    throw new TaskLibraryError(`${promptDir}: ${[...files].join(', ')} belong to no task of taxonomy.json`);
  }
  return { dir, version: parsed.data.version, hash: hash.digest('hex'), tasks, groups: parsed.data.groups, prompts };
}

function parseLine(line: string, where: string): z.output<typeof promptLine> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new TaskLibraryError(`${where}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const r = promptLine.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new TaskLibraryError(`${where}: ${i.path.join('.') || '(line)'}: ${i.message}`);
  }
  return r.data;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new TaskLibraryError(`${file}: ${why}`, { cause: err });
  }
}

function listJsonl(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch (err) {
    throw new TaskLibraryError(`${dir}: cannot list prompt files: ${(err as Error).message}`, { cause: err });
  }
}
