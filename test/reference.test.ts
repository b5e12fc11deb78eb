// The seed files under test/reference must stay verbatim copies of the user's originals.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const here = path.dirname(new URL(import.meta.url).pathname);
const shared = path.resolve(here, '../../shared');
const copies: Array<[string, string]> = [
  ['reference/seed-router-config.yaml', 'test/reference/seed-router-config.yaml'],
  ['reference/seed-agentgateway-config.yaml', 'test/reference/seed-agentgateway-config.yaml'],
  ['data/vsr_domain_bench.json', 'bench/data/vsr_domain_bench.json'],
];

const haveShared = existsSync(shared);
if (!haveShared) console.warn(`SKIPPED reference copies: ${shared} (the user's originals) is absent in this checkout`);

describe.runIf(haveShared)('reference copies', () => {
  it.each(copies)('%s is copied byte for byte to %s', (original, copy) => {
    const a = readFileSync(path.join(shared, original));
    const b = readFileSync(path.resolve(here, '..', copy));
    expect(b.equals(a)).toBe(true);
  });
});
