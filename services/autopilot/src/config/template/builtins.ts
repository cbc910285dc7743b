// The predefined functions of text/template (and, or and call are handled by the executor because
// they need lazy evaluation or the raw function). Each throws TemplateFuncError with Go's wording.
import { TemplateFuncError } from './errors.ts';
import { goTypeName, isMapLike, sprint, sprintf, sprintln } from './format.ts';

export type TemplateFunc = (...args: never[]) => unknown;
export type FuncMap = Readonly<Record<string, TemplateFunc>>;

/** Go truthiness: false, 0, nil and empty strings/arrays/maps are false; anything else is true. */
export function isTrue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.keys(v).length > 0;
  return true; // structs, functions
}

type Kind = 'nil' | 'number' | 'string' | 'bool' | 'other';
function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return typeof v === 'boolean' ? 'bool' : 'other';
}

function basicEq(a: unknown, b: unknown): boolean {
  const [ka, kb] = [kindOf(a), kindOf(b)];
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb)
    throw new TemplateFuncError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  if (ka === 'other') throw new TemplateFuncError(`non-comparable type ${goTypeName(a)}`);
  return a === b;
}

function lessThan(a: unknown, b: unknown): boolean {
  const [ka, kb] = [kindOf(a), kindOf(b)];
  if ((ka !== 'number' && ka !== 'string') || (kb !== 'number' && kb !== 'string'))
    throw new TemplateFuncError('invalid type for comparison');
  if (ka !== kb)
    throw new TemplateFuncError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  return (a as number | string) < (b as number | string);
}

function eq(...args: unknown[]): boolean {
  if (args.length < 2) throw new TemplateFuncError('missing argument for comparison');
  const [first, ...rest] = args;
  return rest.some((x) => basicEq(first, x));
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8'); // Go counts bytes
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (isMapLike(v)) return Object.keys(v).length;
  throw new TemplateFuncError(`len of type ${goTypeName(v)}`);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item === null || item === undefined) throw new TemplateFuncError('index of untyped nil');
  if (Array.isArray(item) || typeof item === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key))
      throw new TemplateFuncError(`cannot index slice/array with type ${goTypeName(key)}`);
    const seq = typeof item === 'string' ? Buffer.from(item, 'utf8') : item;
    if (key < 0 || key >= seq.length) throw new TemplateFuncError(`index out of range: ${key}`);
    return seq[key];
  }
  if (item instanceof Map) return item.get(key);
  if (isMapLike(item))
    return Object.hasOwn(item, String(key)) ? (item as Record<string, unknown>)[String(key)] : undefined;
  throw new TemplateFuncError(`can't index item of type ${goTypeName(item)}`);
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (typeof item !== 'string' && !Array.isArray(item))
    throw new TemplateFuncError(`can't slice item of type ${goTypeName(item)}`);
  const nums = indexes.map((i) => {
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new TemplateFuncError(`cannot index slice/array with type ${goTypeName(i)}`);
    return i;
  });
  const [lo = 0, hi = item.length] = nums;
  if (lo < 0 || hi < lo || hi > item.length)
    throw new TemplateFuncError(`index out of range: ${hi < lo ? lo : hi}`);
  return item.slice(lo, hi);
}

const HTML: Record<string, string> = {
  '&': '&amp;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  '\0': '\uFFFD',
};
const htmlEscape = (s: string): string => s.replace(/[&'<>"\0]/g, (c) => HTML[c]!);

function jsEscape(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === "'" || c === '"') out += '\\' + c;
    else if (code < 0x20 || '<>&='.includes(c) || c === '\u2028' || c === '\u2029') {
      out += '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
    } else out += c;
  }
  return out;
}

/** url.QueryEscape */
const queryEscape = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');

/** text/template's builtins minus and/or/call (see exec.ts). */
export const BUILTINS: Record<string, (...args: unknown[]) => unknown> = {
  not: (...args) => {
    if (args.length !== 1)
      throw new TemplateFuncError(`wrong number of args for not: want 1 got ${args.length}`);
    return !isTrue(args[0]);
  },
  len: (...args) => {
    if (args.length !== 1)
      throw new TemplateFuncError(`wrong number of args for len: want 1 got ${args.length}`);
    return length(args[0]);
  },
  index: (item, ...keys) => keys.reduce(indexOne, item),
  slice,
  print: (...args) => sprint(args),
  println: (...args) => sprintln(args),
  printf: (format, ...args) => {
    if (typeof format !== 'string')
      throw new TemplateFuncError(`printf: format must be a string, got ${goTypeName(format)}`);
    return sprintf(format, args);
  },
  html: (...args) => htmlEscape(args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args)),
  js: (...args) => jsEscape(args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args)),
  urlquery: (...args) =>
    queryEscape(args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args)),
  eq,
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => lessThan(a, b),
  le: (a, b) => lessThan(a, b) || basicEq(a, b),
  gt: (a, b) => !lessThan(a, b) && !basicEq(a, b),
  ge: (a, b) => !lessThan(a, b),
};
