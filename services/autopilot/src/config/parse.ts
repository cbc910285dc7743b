// Parses rendered config text (JSON5 via momoa, YAML via `yaml`) into plain values plus a
// path → line:col map, so validation can point at the exact key or value it rejects.
import { parse as parseJson5, type AnyNode } from '@humanwhocodes/momoa';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import type { ConfigIssue } from './issues.ts';

export type Path = readonly (string | number)[];
export interface Loc {
  line: number;
  col: number;
}

export interface ParsedConfig {
  file: string;
  /** Objects have a null prototype, so keys such as "__proto__" are plain data. */
  value: unknown;
  /** Where the value (or, for 'key', the key naming it) at `path` is; falls back to the nearest ancestor. */
  locate(path: Path, part?: 'key' | 'value'): Loc;
}

/** `config` is absent after a syntax error; duplicate keys are issues but still give a config (last wins). */
export interface ParseResult {
  config?: ParsedConfig;
  issues: ConfigIssue[];
}

export const isYamlFile = (file: string): boolean => /\.ya?ml$/i.test(file);

const pathKey = (path: Path): string => JSON.stringify(path);

class LocationMap {
  private readonly values = new Map<string, Loc>();
  private readonly keys = new Map<string, Loc>();

  set(path: Path, value: Loc, key?: Loc): void {
    this.values.set(pathKey(path), value);
    if (key) this.keys.set(pathKey(path), key);
  }

  locate(path: Path, part: 'key' | 'value' = 'value'): Loc {
    for (let p = [...path]; ; p = p.slice(0, -1)) {
      const hit =
        (part === 'key' && p.length === path.length ? this.keys.get(pathKey(p)) : undefined) ??
        this.values.get(pathKey(p));
      if (hit) return hit;
      if (p.length === 0) return { line: 1, col: 1 };
    }
  }
}

const syntaxIssue = (file: string, line: number, col: number, message: string): ConfigIssue => ({
  file,
  line,
  col,
  message,
  rule: 'syntax',
});

/** Parses `text` as YAML when `file` ends in .yaml/.yml, else as JSON5. Reports all duplicate keys. */
export function parseConfigText(text: string, file: string): ParseResult {
  return isYamlFile(file) ? parseYaml(text, file) : parseJson5Text(text, file);
}

function parseJson5Text(text: string, file: string): ParseResult {
  let doc;
  try {
    doc = parseJson5(text, { mode: 'json5' });
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    const message = e.message.replace(/\s*\(\d+:\d+\)\s*$/, '');
    return { issues: [syntaxIssue(file, e.line ?? 1, e.column ?? 1, message)] };
  }
  const locations = new LocationMap();
  const issues: ConfigIssue[] = [];
  const at = (node: AnyNode): Loc => ({ line: node.loc.start.line, col: node.loc.start.column });

  const convert = (node: AnyNode, path: Path): unknown => {
    switch (node.type) {
      case 'Object': {
        const out: Record<string, unknown> = Object.create(null);
        for (const member of node.members) {
          const key = member.name.type === 'Identifier' ? member.name.name : member.name.value;
          const childPath = [...path, key];
          if (Object.hasOwn(out, key)) {
            const loc = at(member.name);
            issues.push({ file, ...loc, message: `duplicate key "${key}"`, rule: 'duplicate-key' });
          }
          locations.set(childPath, at(member.value), at(member.name));
          out[key] = convert(member.value, childPath);
        }
        return out;
      }
      case 'Array':
        return node.elements.map((el, i) => {
          locations.set([...path, i], at(el.value));
          return convert(el.value, [...path, i]);
        });
      case 'String':
      case 'Number':
      case 'Boolean':
        return node.value;
      case 'Null':
        return null;
      case 'NaN':
        return NaN;
      case 'Infinity':
        return node.sign === '-' ? -Infinity : Infinity;
      default:
        return undefined;
    }
  };
  locations.set([], at(doc.body));
  const value = convert(doc.body, []);
  return { config: { file, value, locate: (p, part) => locations.locate(p, part) }, issues };
}

function parseYaml(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Loc => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, col };
  };
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const rule = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'syntax';
    const pos = e.linePos?.[0] ?? at(e.pos[0]);
    return {
      file,
      line: pos.line,
      col: pos.col,
      message: e.message.replace(/ at line \d+, column \d+:?\s*$/s, ''),
      rule,
    };
  });
  if (issues.some((i) => i.rule === 'syntax')) return { issues };
  const locations = new LocationMap();
  const convert = (node: YamlNode | unknown, path: Path, document: Document): unknown => {
    if (isAlias(node)) return convert(node.resolve(document), path, document);
    if (isMap(node)) {
      const out: Record<string, unknown> = Object.create(null);
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const childPath = [...path, key];
        const valueNode = pair.value as YamlNode | null;
        const keyLoc = at((keyNode as YamlNode | null)?.range?.[0]);
        locations.set(childPath, valueNode?.range ? at(valueNode.range[0]) : keyLoc, keyLoc);
        out[key] = convert(valueNode, childPath, document);
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const range = (item as YamlNode | null)?.range;
        if (range) locations.set([...path, i], at(range[0]));
        return convert(item, [...path, i], document);
      });
    }
    if (isScalar(node)) {
      // Keep YAML octal literals (0o644) recognisable: file modes are written that way.
      if (node.format === 'OCT' && typeof node.value === 'number') return `0o${node.value.toString(8)}`;
      return node.value === undefined ? null : node.value;
    }
    return node === null || node === undefined ? null : node;
  };
  locations.set([], at(doc.contents?.range?.[0]));
  const value = convert(doc.contents, [], doc);
  return { config: { file, value, locate: (p, part) => locations.locate(p, part) }, issues };
}
