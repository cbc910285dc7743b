// Config problems are collected, never thrown one by one: a user fixes a whole file in one pass.

export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  message: string;
  /** Stable rule id, e.g. 'unknown-key', 'health-required'. */
  rule: string;
}

export const formatIssue = (i: ConfigIssue): string =>
  `${i.file}:${i.line}:${i.col}: ${i.message} (${i.rule})`;

/** Every problem found in a config file; nothing has been started when this is thrown. */
export class ConfigError extends Error {
  readonly errors: readonly ConfigIssue[];

  constructor(errors: readonly ConfigIssue[]) {
    const sorted = [...errors].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col,
    );
    super(sorted.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.errors = sorted;
  }
}
