// Every selection algorithm reachable from YAML `algorithm.type`, looked up by type or alias.
import { automixFactory } from './automix.js';
import { eloFactory } from './elo.js';
import type { SelectorFactory } from './factory.js';
import { makeHybridFactory } from './hybrid.js';
import { latencyAwareFactory } from './latency-aware.js';
import { multiFactorFactory } from './multi-factor.js';
import { rlDrivenFactory } from './rl-driven.js';
import { routerDcFactory } from './router-dc.js';
import { makeSessionAwareFactory } from './session-aware.js';
import { staticFactory } from './static.js';
import { kmeansFactory, knnFactory, mlpFactory, svmFactory } from './trained.js';

export type { SelectorDeps, SelectorFactory } from './factory.js';

const byName = new Map<string, SelectorFactory>();
const primary: string[] = [];

function register(factory: SelectorFactory): void {
  primary.push(factory.type);
  for (const name of [factory.type, ...(factory.aliases ?? [])]) byName.set(name, factory);
}

/** Factory for an algorithm type or alias, or undefined when unknown. */
export function getSelectorFactory(type: string): SelectorFactory | undefined {
  return byName.get(type);
}

/** Canonical algorithm types (aliases excluded). */
export function selectorTypes(): string[] {
  return [...primary];
}

for (const f of [
  staticFactory,
  multiFactorFactory,
  routerDcFactory,
  automixFactory,
  makeHybridFactory(getSelectorFactory),
  eloFactory,
  rlDrivenFactory,
  latencyAwareFactory,
  knnFactory,
  kmeansFactory,
  svmFactory,
  mlpFactory,
  makeSessionAwareFactory(getSelectorFactory),
]) {
  register(f);
}
