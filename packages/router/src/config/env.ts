// `${VAR}` and `${VAR:-default}` expansion in string values, before validation. Every value taken
// from the environment is recorded, so that messages about the config can redact it.
import { ConfigError, pathToString, type ConfigIssue } from './errors.js';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One value taken from the environment: where it went and which variable it came from. */
export interface EnvValue {
  path: string;
  name: string;
  value: string;
}

/** Returns a copy of `value` with env references expanded; unset variables without a default become issues. */
export function expandEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
  path: (string | number)[] = [],
  used: EnvValue[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (whole, name: string, fallback: string | undefined) => {
      // Own keys only: `${__proto__}` or `${constructor}` must not read Object.prototype.
      const v = Object.hasOwn(env, name) ? env[name] : undefined;
      if (typeof v === 'string' && v !== '') {
        used.push({ path: pathToString(path), name, value: v });
        return v;
      }
      if (fallback !== undefined) return fallback;
      issues.push({ path: pathToString(path), message: `environment variable ${name} is not set (in ${whole})` });
      return whole;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, issues, [...path, i], used));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty: a `__proto__` key stays a key (reported as reserved) instead of replacing the prototype.
      Object.defineProperty(out, k, { value: expandEnv(v, env, issues, [...path, k], used), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/**
 * Replaces environment values in issue messages with `[redacted $NAME]`: values of 4 or more
 * characters wherever they appear; shorter ones (which would also match ordinary words and numbers)
 * where they are quoted, as messages quote the values they echo.
 */
export function redactEnv(issues: ConfigIssue[], used: readonly EnvValue[]): ConfigIssue[] {
  if (used.length === 0) return issues;
  return issues.map((i) => {
    const message = redactText(i.message, used);
    return message === i.message ? i : { ...i, message };
  });
}

/** `text` with environment values replaced as `redactEnv` does. */
export function redactText(text: string, used: readonly EnvValue[]): string {
  if (used.length === 0) return text;
  const byLength = [...used].sort((a, b) => b.value.length - a.value.length);
  let out = text;
  for (const u of byLength) {
    const mark = `[redacted $${u.name}]`;
    const json = JSON.stringify(u.value);
    const forms = u.value.length >= 4 ? [u.value, json.slice(1, -1)] : [`"${u.value}"`, json];
    for (const form of new Set(forms)) out = out.split(form).join(u.value.length >= 4 ? mark : `"${mark}"`);
  }
  return out;
}

/**
 * An error raised after validation (building the router: a model file, a model directory, a
 * backend) with environment values redacted: a `ConfigError`'s issues are rebuilt; any other
 * error's message and stack, and those of its causes, are rewritten in place.
 */
export function redactError(err: unknown, used: readonly EnvValue[] | undefined): unknown {
  if (!used || used.length === 0 || !(err instanceof Error)) return err;
  if (err instanceof ConfigError) {
    const issues = redactEnv(err.issues, used);
    // The cause would carry the unredacted text: dropped.
    return issues.every((i, n) => i === err.issues[n]) ? err : new ConfigError(issues, err.source);
  }
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    e.message = redactText(e.message, used);
    if (e.stack) e.stack = redactText(e.stack, used);
  }
  return err;
}
