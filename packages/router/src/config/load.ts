// Config loading: YAML text -> env expansion -> zod schema + cross-reference checks -> a closed
// `RouterConfig`, with every error at once (YAML path and line) and unknown fields as warnings.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, pathToString, type ConfigIssue } from './errors.js';
import { expandEnv, redactEnv, type EnvValue } from './env.js';
import { checkReserved } from './reserved.js';
import { aliasOverLimit, checkAliases, yamlPathAt } from './yaml-checks.js';
import { checkReferences, type ParsedAlgorithm } from './references.js';
import { unknownFields } from './unknown-fields.js';
import { routerConfigSchema, type DecisionConfig, type RouterConfig } from './schema.js';
import { getSelectorFactory } from '../selection/registry.js';

/** A validated config plus where it came from and what was only worth a warning. */
export interface LoadedConfig {
  config: RouterConfig;
  warnings: ConfigIssue[];
  /** File path or label of the source. */
  source: string;
  /** Directory relative paths in the config resolve against. */
  configDir: string;
  /**
   * Each decision's selector and its params, parsed once here (defaults applied), by decision name;
   * a decision without `algorithm` gets static (one model) or multi_factor on meaning.
   */
  algorithms: ReadonlyMap<string, ParsedAlgorithm>;
  /** Values taken from the environment (`${VAR}`): redacted from errors raised later while building the router. */
  envValues?: readonly EnvValue[];
}

export interface ParseOptions {
  /** File path or label used in messages. */
  source?: string;
  /** Base for relative paths; default: the source's directory, else the working directory. */
  configDir?: string;
  /** Variables for `${VAR}` expansion; default `process.env`. */
  env?: Record<string, string | undefined>;
}

const MAX_YAML_ERRORS = 20;
/** Alias expansions `toJS` allows (counted as the yaml package does), far more than any config uses. */
const MAX_ALIAS_COUNT = 100;
const TOO_DEEP = 'YAML nested too deeply to read (a config is a few levels deep)';
const isStackOverflow = (m: string) => /Maximum call stack size exceeded/i.test(m);

/** Reads and validates a YAML config file. Throws `ConfigError` (code CONFIG_INVALID) with all issues. */
export async function loadConfig(file: string, options: Omit<ParseOptions, 'source'> = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError([{ path: '', message: `cannot read config: ${why}` }], file, { cause: err });
  }
  return parseConfig(text, { ...options, source: file, configDir: options.configDir ?? path.dirname(path.resolve(file)) });
}

/** Parses and validates YAML (or JSON) config text. */
export function parseConfig(text: string, options: ParseOptions = {}): LoadedConfig {
  const source = options.source ?? 'config';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const deep = doc.errors.find((e) => isStackOverflow(e.message));
    const errors = deep ? [deep] : doc.errors.slice(0, MAX_YAML_ERRORS);
    throw new ConfigError(
      errors.map((e) => ({
        path: deep ? '' : yamlPathAt(doc, e.pos[0]),
        message: deep ? TOO_DEEP : `YAML syntax: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line,
      })),
      source,
    );
  }
  let raw: unknown;
  try {
    // Aliases are resolved by toJS: an undefined or self-containing one must be reported first.
    const aliasIssues = checkAliases(doc, lines);
    if (aliasIssues.length > 0) throw new ConfigError(aliasIssues, source);
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    // An alias expanding into too many nodes (a "billion laughs" document): name the alias that crossed the limit.
    const bomb = aliasOverLimit(doc, lines, MAX_ALIAS_COUNT);
    if (bomb) throw new ConfigError([bomb], source, { cause: err });
    // E.g. nesting too deep.
    const message = isStackOverflow((err as Error).message) ? TOO_DEEP : `YAML: ${(err as Error).message.split('\n')[0]}`;
    throw new ConfigError([{ path: '', message, line: 1 }], source, { cause: err });
  }
  return validateConfig(raw, { ...options, source }, (p) => lineOf(doc, lines, p));
}

/** Validates an already-parsed plain object (e.g. built in code) exactly like a file. */
export function validateConfig(
  raw: unknown,
  options: ParseOptions = {},
  lineOf?: (path: ReadonlyArray<string | number>) => number | undefined,
): LoadedConfig {
  const source = options.source ?? 'config';
  const configDir = options.configDir ?? (options.source ? path.dirname(path.resolve(options.source)) : process.cwd());
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const line = lineOf?.([]);
    const issue: ConfigIssue = { path: '', message: 'expected a mapping at the top level (version, providers, routing, ...)' };
    throw new ConfigError([line === undefined ? issue : { ...issue, line }], source);
  }
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const fromEnv: EnvValue[] = [];
  // Issues in file order (line, then path) read best next to the file; environment values never shown.
  const withLines = (list: ConfigIssue[]) =>
    redactEnv(dedupe(list), fromEnv)
      .map((i) => {
        const line = lineOf?.(splitPath(i.path));
        return line === undefined ? i : { ...i, line };
      })
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.path.localeCompare(b.path));
  // Reserved names, cycles and depth first: the passes below recurse into the tree.
  if (!checkReserved(raw, issues)) throw new ConfigError(withLines(issues), source);
  const expanded = expandEnv(raw, options.env ?? process.env, issues, [], fromEnv);
  // A name may also arrive through `${VAR}`: check the expanded tree too (the message is redacted),
  // reporting only paths the first pass did not (a literal reserved name is reported once).
  if (fromEnv.length > 0) {
    const reported = new Set(issues.map((i) => i.path));
    const viaEnv: ConfigIssue[] = [];
    checkReserved(expanded, viaEnv, true);
    issues.push(...viaEnv.filter((i) => !reported.has(i.path)));
  }

  const parsed = routerConfigSchema.safeParse(expanded);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      issues.push({ path: pathToString(i.path), message: describeIssue(i) });
    }
  }
  const parsedAlgorithms = checkReferences(expanded, issues, warnings);
  if (parsed.success) unknownFields(expanded, parsed.data, [], warnings);

  if (issues.length > 0 || !parsed.success) {
    throw new ConfigError(withLines(issues), source);
  }
  const config = parsed.data;
  const algorithms = new Map<string, ParsedAlgorithm>();
  config.routing.decisions.forEach((d, i) => {
    const algorithm = parsedAlgorithms.get(i) ?? defaultAlgorithm(d);
    // The config shows the canonical type and the parsed (defaulted) params, the same values the selector gets.
    if (d.algorithm) d.algorithm = { type: algorithm.factory.type, [algorithm.factory.type]: algorithm.params };
    algorithms.set(d.name, algorithm);
  });
  if (config.version !== undefined && config.version !== 'v0.3') {
    warnings.push({ path: 'version', message: `written for ${config.version}; semroute reads v0.3` });
  }
  return { config, warnings: withLines(warnings), source, configDir, algorithms, envValues: fromEnv };
}

/** Without `algorithm`: static for one model, else multi_factor on meaning alone. */
function defaultAlgorithm(d: DecisionConfig): ParsedAlgorithm {
  const [type, params] = d.modelRefs.length === 1 ? ['static', {}] : ['multi_factor', { weights: { quality: 1 } }];
  const factory = getSelectorFactory(type)!;
  return { factory, params: factory.params.parse(params) };
}

/** zod's messages, made to say what was expected where it helps. */
function describeIssue(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_value' && i.values.length > 1) {
    return `expected one of: ${i.values.map(String).join(', ')}`;
  }
  if (i.code === 'invalid_type' && i.message.includes('received undefined')) return `missing required field (expected ${i.expected})`;
  return i.message;
}

function dedupe(list: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return list.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function splitPath(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Line of the deepest existing node on `path` (a missing field points at its parent). */
function lineOf(doc: Document, lines: LineCounter, p: ReadonlyArray<string | number>): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export type { RouterConfig };
