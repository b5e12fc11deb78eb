// node:http's header object as a flat lower-cased string map.
import type { IncomingHttpHeaders } from 'node:http';

/** Joins repeated headers with "," like the ext_proc side does. */
export function headerRecordFromNode(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}
