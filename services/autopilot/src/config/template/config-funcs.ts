// ContainerPilot's config template functions (config/template/template.go): default, env, split,
// join, replaceAll, regexReplaceAll, loop. `env` reads the injected environment, not process.env.
import type { FuncMap } from './builtins.ts';
import { TemplateFuncError } from './errors.ts';
import { formatValue, goTypeName } from './format.ts';

function str(v: unknown, fn: string): string {
  if (typeof v !== 'string')
    throw new TemplateFuncError(`${fn}: wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}

function toInt(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim() === v ? v : '')) return parseInt(v, 10);
  throw new TemplateFuncError(`strconv.Atoi: parsing ${JSON.stringify(formatValue(v))}: invalid syntax`);
}

/** `loop 5` → 0..4; `loop 5 8` → 5 6 7; `loop 5 1` → 5 4 3 2 (counts down, end excluded). */
export function loop(...params: unknown[]): number[] {
  if (params.length < 1 || params.length > 2) {
    throw new TemplateFuncError(`loop: wrong number of arguments, expected 1 or 2, but got ${params.length}`);
  }
  const [start, stop] = params.length === 1 ? [0, toInt(params[0])] : [toInt(params[0]), toInt(params[1])];
  const out: number[] = [];
  if (stop < start) for (let i = start; i > stop; i--) out.push(i);
  else for (let i = start; i < stop; i++) out.push(i);
  return out;
}

/** Go regexp syntax → JS: leading (?flags), (?P<name>), and ${1}/${name} replacement templates. */
export function goRegExp(pattern: string): RegExp {
  let flags = 'g';
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    if (lead[1]!.includes('U')) throw new TemplateFuncError('regexReplaceAll: (?U) is not supported');
    flags += lead[1];
    pattern = pattern.slice(lead[0].length);
  }
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'), flags);
  } catch (err) {
    throw new TemplateFuncError(`error parsing regexp: ${(err as Error).message}`);
  }
}

const goReplacement = (to: string): string =>
  to.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (whole, _m: string, braced?: string, bare?: string) => {
    if (whole === '$$') return '$$';
    const name = braced ?? bare!;
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });

export function configFuncs(env: Readonly<Record<string, string | undefined>>): FuncMap {
  return {
    default: (def: unknown, value: unknown): string =>
      typeof value === 'string' && value !== '' ? value : typeof def === 'string' ? def : formatValue(def),
    env: (name: unknown): string => env[str(name, 'env')] ?? '',
    split: (sep: unknown, s: unknown): string[] => {
      const text = str(s, 'split').trim();
      if (text === '') return [];
      return str(sep, 'split') === '' ? [...text] : text.split(sep as string);
    },
    join: (sep: unknown, items: unknown): string => {
      if (!Array.isArray(items))
        throw new TemplateFuncError(
          `join: wrong type for value; expected []string; got ${goTypeName(items)}`,
        );
      return items.map(formatValue).join(str(sep, 'join'));
    },
    replaceAll: (from: unknown, to: unknown, s: unknown): string =>
      str(s, 'replaceAll').replaceAll(str(from, 'replaceAll'), str(to, 'replaceAll')),
    regexReplaceAll: (re: unknown, to: unknown, s: unknown): string =>
      str(s, 'regexReplaceAll').replace(
        goRegExp(str(re, 'regexReplaceAll')),
        goReplacement(str(to, 'regexReplaceAll')),
      ),
    loop,
  };
}
