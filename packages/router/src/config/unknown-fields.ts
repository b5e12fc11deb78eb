// Unknown-field detection: keys present in the raw YAML but dropped by a schema are fields semroute
// does not know (typos, other tools' options). They are warnings, never errors.
import { pathToString, type ConfigIssue } from './errors.js';

/** Raw keys that the schema dropped are fields semroute does not know: warn, never fail. */
export function unknownFields(raw: unknown, parsed: unknown, path: (string | number)[], out: ConfigIssue[]): void {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    raw.forEach((v, i) => {
      unknownFields(v, parsed[i], [...path, i], out);
    });
    return;
  }
  if (raw && parsed && typeof raw === 'object' && typeof parsed === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw)) {
      if (!Object.hasOwn(parsed as object, k)) out.push({ path: pathToString([...path, k]), message: 'unknown field (ignored)' });
      else unknownFields(v, (parsed as Record<string, unknown>)[k], [...path, k], out);
    }
  }
}

