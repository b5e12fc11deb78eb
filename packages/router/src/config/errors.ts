// Typed config errors: every issue carries the YAML path it is about.

/** One problem found in a config, at a YAML path such as `routing.decisions[0].modelRefs[1].model`. */
export interface ConfigIssue {
  path: string;
  message: string;
  /** 1-based line in the source file, when known. */
  line?: number;
}

/** Thrown by the config loader with ALL issues found, not only the first. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: ConfigIssue[];
  readonly source: string | undefined;

  constructor(issues: ConfigIssue[], source?: string, options?: { cause?: unknown }) {
    super(formatIssues(issues, source), options);
    this.name = 'ConfigError';
    this.issues = issues;
    this.source = source;
  }
}

/** Human-readable list of issues, one per line, prefixed with the file and line when known. */
export function formatIssues(issues: ConfigIssue[], source?: string): string {
  const head = `${source ?? 'config'}: ${issues.length} error${issues.length === 1 ? '' : 's'}`;
  const lines = issues.map((i) => `  ${i.path || '(root)'}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`);
  return [head, ...lines].join('\n');
}

/** Renders a path array as `a.b[0].c`. */
export function pathToString(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out === '' ? String(k) : `.${String(k)}`;
  }
  return out;
}
