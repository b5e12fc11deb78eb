// Cross-reference checks that a schema cannot express: duplicate names, modelRefs naming unknown
// models, rules naming undeclared signals, algorithm types and their params (via the selector
// registry). They run on the raw (env-expanded) tree, tolerant of bad shapes, so that they report
// alongside the schema's own issues and the user sees every error at once.
import { getSelectorFactory, selectorTypes, type SelectorFactory } from '../selection/registry.js';
import { CACHE_PLUGIN_TYPES } from './schema.js';
import { pathToString, type ConfigIssue } from './errors.js';
import { unknownFields } from './unknown-fields.js';
import { SIGNAL_SECTIONS, canonicalSignalType, splitComplexityName } from '../signals/types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Collects names of a list, reporting duplicates. */
function uniqueNames(list: unknown[], path: (string | number)[], what: string, issues: ConfigIssue[]): Map<string, number> {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const n = isObj(item) ? str(item.name) : undefined;
    if (n === undefined) return;
    const first = seen.get(n);
    if (first !== undefined) {
      issues.push({
        path: pathToString([...path, i, 'name']),
        message: `duplicate ${what} name "${n}" (first defined at ${pathToString([...path, first])})`,
      });
    } else seen.set(n, i);
  });
  return seen;
}

/** A decision's `algorithm`, its params parsed (defaults applied) by the selector's own schema. */
export interface ParsedAlgorithm {
  factory: SelectorFactory;
  params: unknown;
}

/**
 * Reports issues into `issues` and soft problems into `warnings`. Returns each decision's parsed
 * algorithm by decision index (entries only for valid `algorithm` sections): the one parse of
 * selector params, which the loaded config carries.
 */
export function checkReferences(raw: unknown, issues: ConfigIssue[], warnings: ConfigIssue[]): Map<number, ParsedAlgorithm> {
  const algorithms = new Map<number, ParsedAlgorithm>();
  if (!isObj(raw)) return algorithms;
  const providers = isObj(raw.providers) ? raw.providers : {};
  const routing = isObj(raw.routing) ? raw.routing : {};
  const providerNames = uniqueNames(arr(providers.models), ['providers', 'models'], 'provider model', issues);
  const cardNames = uniqueNames(arr(routing.modelCards), ['routing', 'modelCards'], 'model card', issues);
  const known = new Set([...providerNames.keys(), ...cardNames.keys()]);
  const knownList = [...known].join(', ') || '(none)';

  const defaults = isObj(providers.defaults) ? providers.defaults : {};
  const def = str(defaults.default_model);
  if (def !== undefined && !known.has(def)) {
    issues.push({
      path: 'providers.defaults.default_model',
      message: `default model "${def}" is neither a routing.modelCards name nor a providers.models name (known: ${knownList})`,
    });
  }
  if (def === undefined && known.size > 0) {
    warnings.push({ path: 'providers.defaults.default_model', message: `not set: unmatched requests go to the first model, "${[...known][0]}"` });
  }
  for (const [card, i] of cardNames) {
    if (providerNames.size > 0 && !providerNames.has(card)) {
      warnings.push({
        path: `routing.modelCards[${i}].name`,
        message: `card "${card}" has no providers.models entry: its provider_model_id defaults to the card name`,
      });
    }
  }

  const low = isObj(routing.low_confidence) ? str(routing.low_confidence.model) : undefined;
  if (low !== undefined && !known.has(low)) {
    issues.push({
      path: 'routing.low_confidence.model',
      message: `unknown model "${low}": not a routing.modelCards name nor a providers.models name (known: ${knownList})`,
    });
  }

  // Signals declared per section.
  const signals = isObj(routing.signals) ? routing.signals : {};
  const declared = new Map<string, Set<string>>();
  for (const section of SIGNAL_SECTIONS) {
    const names = uniqueNames(arr(signals[section.key]), ['routing', 'signals', section.key], `${section.type} signal`, issues);
    declared.set(section.type, new Set(names.keys()));
  }

  const decisions = arr(routing.decisions);
  uniqueNames(decisions, ['routing', 'decisions'], 'decision', issues);
  const types = selectorTypes();
  decisions.forEach((d, di) => {
    if (!isObj(d)) return;
    const base = ['routing', 'decisions', di] as (string | number)[];
    arr(d.modelRefs).forEach((ref, ri) => {
      const m = isObj(ref) ? str(ref.model) : undefined;
      if (m !== undefined && !known.has(m)) {
        issues.push({
          path: pathToString([...base, 'modelRefs', ri, 'model']),
          message: `unknown model "${m}": not a routing.modelCards name nor a providers.models name (known: ${knownList})`,
        });
      }
    });
    checkRuleRefs(d.rules, [...base, 'rules'], declared, issues);
    const algorithm = isObj(d.algorithm) ? checkAlgorithm(d.algorithm, [...base, 'algorithm'], types, issues, warnings) : undefined;
    if (algorithm) algorithms.set(di, algorithm);
    arr(d.plugins).forEach((p, pi) => {
      if (!isObj(p) || !(CACHE_PLUGIN_TYPES as readonly string[]).includes(str(p.type) ?? '')) return;
      if (p.scope === 'header' && str(p.scope_header) === undefined) {
        issues.push({ path: pathToString([...base, 'plugins', pi, 'scope_header']), message: 'scope: header needs scope_header (e.g. x-user-id)' });
      }
    });
  });
  return algorithms;
}

function checkRuleRefs(node: unknown, path: (string | number)[], declared: Map<string, Set<string>>, issues: ConfigIssue[]): void {
  if (!isObj(node)) return;
  if (Array.isArray(node.conditions)) {
    node.conditions.forEach((c, i) => {
      checkRuleRefs(c, [...path, 'conditions', i], declared, issues);
    });
    return;
  }
  const type = str(node.type);
  const name = str(node.name);
  if (type === undefined || name === undefined) return;
  const canon = canonicalSignalType(type);
  if (canon === undefined) {
    const valid = SIGNAL_SECTIONS.map((s) => s.type).join(', ');
    issues.push({ path: pathToString([...path, 'type']), message: `unknown signal type "${type}"; expected one of: ${valid}` });
    return;
  }
  const base = canon === 'complexity' ? splitComplexityName(name).name : name;
  if (!declared.get(canon)?.has(base)) {
    const section = SIGNAL_SECTIONS.find((s) => s.type === canon)!.key;
    const have = [...(declared.get(canon) ?? [])].join(', ') || '(none declared)';
    issues.push({
      path: pathToString([...path, 'name']),
      message: `rule names ${canon} signal "${name}", which is not declared in routing.signals.${section} (declared: ${have})`,
    });
  }
}

function checkAlgorithm(
  algo: Obj,
  path: (string | number)[],
  types: string[],
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): ParsedAlgorithm | undefined {
  const type = str(algo.type);
  if (type === undefined) return undefined; // the schema reports it
  const factory = getSelectorFactory(type);
  if (!factory) {
    issues.push({ path: pathToString([...path, 'type']), message: `unknown algorithm type "${type}"; expected one of: ${types.join(', ')}` });
    return undefined;
  }
  // Params live under the key the user wrote (the type or one of its aliases).
  const names = [factory.type, ...(factory.aliases ?? [])];
  const key = names.find((n) => n in algo) ?? type;
  for (const k of Object.keys(algo)) {
    if (k !== 'type' && k !== key) {
      warnings.push({ path: pathToString([...path, k]), message: `ignored: algorithm.type is "${type}"` });
    }
  }
  const r = factory.params.safeParse(algo[key] ?? {});
  if (!r.success) {
    for (const i of r.error.issues) {
      issues.push({ path: pathToString([...path, key, ...i.path]), message: i.message });
    }
    return undefined;
  }
  unknownFields(algo[key] ?? {}, r.data, [...path, key], warnings);
  return { factory, params: r.data };
}
