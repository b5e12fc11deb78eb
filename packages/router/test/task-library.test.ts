// The bundled task library's shape and the loader's errors (file and line named).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskLibrary, TaskLibraryError } from '../src/library/load.js';

describe('bundled task library', () => {
  const lib = loadTaskLibrary({ split: 'all' });
  const routing = loadTaskLibrary();
  const heldout = loadTaskLibrary({ split: 'heldout' });

  it('has >= 40 task types, each with an id, name, description and >= 50 routing prompts', () => {
    expect(lib.tasks.length).toBeGreaterThanOrEqual(40);
    for (const [i, t] of lib.tasks.entries()) {
      expect(t.id).toMatch(/^[a-z0-9-]+$/);
      expect(t.name.length).toBeGreaterThan(2);
      expect(t.description.length).toBeGreaterThan(20);
      expect(routing.prompts.filter((p) => p.task === i).length, t.id).toBeGreaterThanOrEqual(50);
    }
  });

  it('holds >= 3,000 prompts with provenance, >= 15% held out, and none shared between splits', () => {
    expect(lib.prompts.length).toBeGreaterThanOrEqual(3000);
    expect(heldout.prompts.length / lib.prompts.length).toBeGreaterThanOrEqual(0.15);
    expect(routing.prompts.length + heldout.prompts.length).toBe(lib.prompts.length);
    for (const p of lib.prompts) expect(p.source).not.toBe('');
    const texts = new Set(routing.prompts.map((p) => p.text.trim().toLowerCase()));
    for (const p of heldout.prompts) expect(texts.has(p.text.trim().toLowerCase())).toBe(false);
  });

  it('varies in length: very short prompts and paragraphs in every task type', () => {
    for (const [i, t] of lib.tasks.entries()) {
      const words = lib.prompts.filter((p) => p.task === i).map((p) => p.text.trim().split(/\s+/).length);
      expect(Math.min(...words), t.id).toBeLessThanOrEqual(6);
      expect(Math.max(...words), t.id).toBeGreaterThanOrEqual(40);
    }
  });

  it('is identified by a content hash that the split does not change', () => {
    expect(lib.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(routing.hash).toBe(lib.hash);
    expect(lib.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('loadTaskLibrary errors', () => {
  function libDir(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-lib-'));
    mkdirSync(path.join(dir, 'prompts'));
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
    return dir;
  }
  const taxonomy = JSON.stringify({ version: '1.0.0', tasks: [{ id: 'a', group: 'g', name: 'A', description: 'task a' }] });
  const line = (text: string, split = 'library') => JSON.stringify({ text, source: 'test', split });

  it('loads a minimal library and filters by split', () => {
    const dir = libDir({ 'taxonomy.json': taxonomy, 'prompts/a.jsonl': `${line('one')}\n${line('two', 'heldout')}\n` });
    expect(loadTaskLibrary({ dir }).prompts.map((p) => p.text)).toEqual(['one']);
    expect(loadTaskLibrary({ dir, split: 'heldout' }).prompts.map((p) => p.text)).toEqual(['two']);
  });

  it('names the file and line of a bad prompt line', () => {
    const dir = libDir({ 'taxonomy.json': taxonomy, 'prompts/a.jsonl': `${line('ok')}\n{"text": "x"\n` });
    expect(() => loadTaskLibrary({ dir })).toThrow(TaskLibraryError);
    expect(() => loadTaskLibrary({ dir })).toThrow(/a\.jsonl:2: not valid JSON/);
    const dir2 = libDir({ 'taxonomy.json': taxonomy, 'prompts/a.jsonl': `${JSON.stringify({ text: 'x', source: 's', split: 'train' })}\n` });
    expect(() => loadTaskLibrary({ dir: dir2 })).toThrow(/a\.jsonl:1: split/);
  });

  it('reports a missing prompt file, a stray file, a duplicate id and a missing taxonomy', () => {
    expect(() => loadTaskLibrary({ dir: libDir({ 'taxonomy.json': taxonomy }) })).toThrow(/a\.jsonl: missing: task "a"/);
    expect(() => loadTaskLibrary({ dir: libDir({ 'taxonomy.json': taxonomy, 'prompts/a.jsonl': line('x'), 'prompts/b.jsonl': line('y') }) })).toThrow(
      /b\.jsonl belong to no task/,
    );
    const dup = JSON.stringify({ version: '1', tasks: [{ id: 'a', group: 'g', name: 'A', description: 'd' }, { id: 'a', group: 'g', name: 'B', description: 'd' }] });
    expect(() => loadTaskLibrary({ dir: libDir({ 'taxonomy.json': dup, 'prompts/a.jsonl': line('x') }) })).toThrow(/tasks\[1\]\.id: duplicate task id "a"/);
    expect(() => loadTaskLibrary({ dir: libDir({}) })).toThrow(/taxonomy\.json: file not found/);
  });

  it('checks also-groups: known, not the own group, kept on the task', () => {
    const withAlso = (also: string[]) =>
      JSON.stringify({
        version: '1',
        groups: [
          { id: 'g', name: 'G', description: 'group g' },
          { id: 'h', name: 'H', description: 'group h' },
        ],
        tasks: [{ id: 'a', group: 'g', also, name: 'A', description: 'd' }],
      });
    const ok = loadTaskLibrary({ dir: libDir({ 'taxonomy.json': withAlso(['h']), 'prompts/a.jsonl': line('x') }) });
    expect(ok.tasks[0]!.also).toEqual(['h']);
    expect(() => loadTaskLibrary({ dir: libDir({ 'taxonomy.json': withAlso(['nope']), 'prompts/a.jsonl': line('x') }) })).toThrow(
      /tasks\[0\]\.also\[0\]: "nope" is not a group/,
    );
    expect(() => loadTaskLibrary({ dir: libDir({ 'taxonomy.json': withAlso(['h', 'g']), 'prompts/a.jsonl': line('x') }) })).toThrow(
      /tasks\[0\]\.also\[1\]: "g" is the task's own group/,
    );
  });
});
