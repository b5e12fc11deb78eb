// Rewriting a chat request body's `model` in place: every other byte of the body goes upstream as sent.

/**
 * Replaces the value of a top-level string field, leaving every other byte of the JSON as it was
 * (number formatting, key order, whitespace), so only the model changes on the way upstream.
 * A key written more than once is replaced in every occurrence: upstream parsers differ in which
 * copy they keep, so none may keep the old value. Returns undefined when the field is absent, any
 * occurrence is not a string, or the text is not a readable JSON object.
 */
export function replaceTopLevelString(json: string, key: string, value: string): string | undefined {
  const spans: Array<[number, number]> = [];
  let i = skipWs(json, 0);
  if (json[i] !== '{') return undefined;
  i = skipWs(json, i + 1);
  if (json[i] !== '}') {
    for (;;) {
      i = skipWs(json, i);
      if (json[i] !== '"') return undefined;
      const keyEnd = stringEnd(json, i);
      let name: unknown;
      try {
        name = JSON.parse(json.slice(i, keyEnd));
      } catch {
        return undefined;
      }
      i = skipWs(json, keyEnd);
      if (json[i] !== ':') return undefined;
      i = skipWs(json, i + 1);
      const valueEnd = valueEndAt(json, i);
      if (name === key) {
        if (json[i] !== '"') return undefined;
        spans.push([i, valueEnd]);
      }
      i = skipWs(json, valueEnd);
      if (json[i] === ',') i++;
      else if (json[i] === '}') break;
      else return undefined;
    }
  }
  if (spans.length === 0) return undefined;
  const literal = JSON.stringify(value);
  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    out += json.slice(at, from) + literal;
    at = to;
  }
  return out + json.slice(at);
}

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
  return i;
}

/** Index just past the string literal starting at `i`. */
function stringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '"') return j + 1;
  }
  return s.length;
}

/** Index just past the JSON value starting at `i` (the text is known to be valid JSON). */
function valueEndAt(s: string, i: number): number {
  if (s[i] === '"') return stringEnd(s, i);
  if (s[i] === '{' || s[i] === '[') {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const c = s[j];
      if (c === '"') j = stringEnd(s, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return s.length;
  }
  let j = i;
  while (j < s.length && s[j] !== ',' && s[j] !== '}' && s[j] !== ']' && s[j] !== ' ' && s[j] !== '\n' && s[j] !== '\r' && s[j] !== '\t') j++;
  return j;
}
