// Collects validation issues with file:line:col, and reads typed fields leniently the way
// ContainerPilot's mapstructure (WeaklyTypedInput) does: "80" is a fine port, 5 is a fine string.
import type { ConfigIssue } from '../issues.ts';
import type { ParsedConfig, Path } from '../parse.ts';
import { formatDuration, parseConfigDuration } from './duration.ts';
import { didYouMean } from './suggest.ts';

export type Obj = Record<string, unknown>;

/** `jobs[0].health.interval` */
export function describePath(path: Path): string {
  return (
    path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '') ||
    'config'
  );
}

export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const typeName = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `${typeof v} ${JSON.stringify(v)}`;

export class Checker {
  readonly issues: ConfigIssue[] = [];
  readonly doc: ParsedConfig;

  constructor(doc: ParsedConfig) {
    this.doc = doc;
  }

  fail(path: Path, rule: string, message: string, part: 'key' | 'value' = 'value'): undefined {
    const { line, col } = this.doc.locate(path, part);
    this.issues.push({ file: this.doc.file, line, col, message, rule });
    return undefined;
  }

  /**
   * An object whose keys must all be in `allowed`; every unknown key is reported at the key, with
   * `hints[key]` or the closest allowed key as advice.
   */
  object(
    path: Path,
    value: unknown,
    allowed: readonly string[],
    hints: Record<string, string> = {},
  ): Obj | undefined {
    if (!isObject(value))
      return this.fail(path, 'type', `${describePath(path)} must be an object, got ${typeName(value)}`);
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const advice = Object.hasOwn(hints, key) ? `; ${hints[key]}` : didYouMean(key, allowed);
      this.fail(
        [...path, key],
        'unknown-key',
        `unknown key "${key}" in ${describePath(path)}${advice}`,
        'key',
      );
    }
    return value;
  }

  string(path: Path, v: unknown, { nonEmpty = true } = {}): string | undefined {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string')
      return this.fail(path, 'type', `${describePath(path)} must be a string, got ${typeName(v)}`);
    if (nonEmpty && v.trim() === '')
      return this.fail(path, 'type', `${describePath(path)} must not be empty`);
    return v;
  }

  boolean(path: Path, v: unknown): boolean | undefined {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.fail(path, 'type', `${describePath(path)} must be true or false, got ${typeName(v)}`);
  }

  integer(
    path: Path,
    v: unknown,
    { min = -Infinity, max = Infinity, rule = 'type' } = {},
  ): number | undefined {
    const n = typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      return this.fail(path, rule, `${describePath(path)} must be a whole number, got ${typeName(v)}`);
    }
    if (n < min || n > max) {
      const range = max === Infinity ? `at least ${min}` : `between ${min} and ${max}`;
      return this.fail(path, rule, `${describePath(path)} must be ${range}, got ${n}`);
    }
    return n;
  }

  /** Milliseconds from "1m30s" / 90 / "90"; `min` in ms. */
  duration(path: Path, v: unknown, { min = 0, max = Infinity, rule = 'duration' } = {}): number | undefined {
    let ms: number;
    try {
      ms = parseConfigDuration(v);
    } catch (err) {
      return this.fail(path, rule, `${describePath(path)}: ${(err as Error).message}`);
    }
    if (ms < min)
      return this.fail(
        path,
        rule,
        `${describePath(path)} must be at least ${formatDuration(min)}, got ${formatDuration(ms)}`,
      );
    if (ms > max)
      return this.fail(
        path,
        rule,
        `${describePath(path)} must be at most ${formatDuration(max)}, got ${formatDuration(ms)}`,
      );
    return ms;
  }

  /** A string or an array of strings (numbers are stringified, as ContainerPilot's decode.ToStrings does). */
  stringList(path: Path, v: unknown): string[] | undefined {
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v))
      return this.fail(
        path,
        'type',
        `${describePath(path)} must be a string or an array of strings, got ${typeName(v)}`,
      );
    const out: string[] = [];
    v.forEach((item, i) => {
      const s = this.string([...path, i], item);
      if (s !== undefined) out.push(s);
    });
    return out.length === v.length ? out : undefined;
  }

  /** A command: a string split on whitespace (no shell, as ContainerPilot) or an argv array. */
  argv(path: Path, v: unknown): string[] | undefined {
    const argv = typeof v === 'string' ? v.trim().split(/\s+/).filter(Boolean) : this.stringList(path, v);
    if (argv && argv.length === 0)
      return this.fail(path, 'exec-empty', `${describePath(path)} must name a command`);
    return argv;
  }

  oneOf<T extends string>(
    path: Path,
    v: unknown,
    allowed: readonly T[],
    rule: string,
    { caseInsensitive = false } = {},
  ): T | undefined {
    const s = typeof v === 'string' ? v : undefined;
    const hit =
      s === undefined
        ? undefined
        : allowed.find((a) => (caseInsensitive ? a.toLowerCase() === s.toLowerCase() : a === s));
    if (hit) return hit;
    const list = allowed.map((a) => `"${a}"`).join(', ');
    return this.fail(
      path,
      rule,
      `${describePath(path)} must be one of ${list}, got ${typeName(v)}${s ? didYouMean(s, allowed) : ''}`,
    );
  }
}
