// Command-line parsing. ContainerPilot (Go's flag package) takes long flags with one dash
// (`-config f`, `-putenv=K=V`, `-ping=true`); we accept those and the double-dash forms, by
// normalising Go style into what node:util parseArgs understands and letting it do the parsing.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configPathFrom } from '../config/load.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const OPTIONS = {
  config: { type: 'string' },
  template: { type: 'boolean' },
  out: { type: 'string' },
  validate: { type: 'boolean' },
  version: { type: 'boolean' },
  reload: { type: 'boolean' },
  maintenance: { type: 'string' },
  putenv: { type: 'string', multiple: true },
  putmetric: { type: 'string', multiple: true },
  ping: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type OptionName = keyof typeof OPTIONS;
const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/**
 * `-name` → `--name` for every long flag (so unknown ones are reported whole); Go's `-flag=true` / `-flag=false` for booleans → present /
 * absent. The argument after a value-taking flag is a value and is left alone.
 */
export function normaliseGoFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const match = /^(--?)([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    const [, dashes, name] = match ?? [];
    if (!match || name === undefined || (dashes === '-' && name.length === 1)) {
      out.push(arg); // not a flag, or a short flag (-h)
      continue;
    }
    if (!isOption(name)) {
      out.push(`--${arg.replace(/^--?/, '')}`); // unknown: parseArgs then names it in full
      continue;
    }
    const value = match[3];
    if (OPTIONS[name].type === 'boolean' && value !== undefined && /^(true|false|1|0)$/i.test(value)) {
      if (/^(true|1)$/i.test(value)) out.push(`--${name}`);
      continue;
    }
    out.push(value === undefined ? `--${name}` : `--${name}=${value}`);
    if (OPTIONS[name].type === 'string' && value === undefined && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; configPath: string | undefined }
  | { kind: 'validate'; configPath: string | undefined }
  | { kind: 'template'; configPath: string | undefined; out: string }
  | { kind: 'client'; configPath: string | undefined; request: ClientRequest };

export type ClientRequest =
  | { verb: 'ping' }
  | { verb: 'reload' }
  | { verb: 'maintenance'; enabled: boolean }
  | { verb: 'putenv'; values: Record<string, string> }
  | { verb: 'putmetric'; values: Record<string, number> };

/** `argv` without node and script; `env` supplies CONTAINERPILOT (file:// accepted) when -config is absent. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: normaliseGoFlags(argv),
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!.replace(/'--(\w+)/g, "'-$1"));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const chosen = (
    ['template', 'validate', 'reload', 'maintenance', 'putenv', 'putmetric', 'ping'] as const
  ).filter((name) => values[name] !== undefined);
  if (chosen.length > 1) throw new UsageError(`choose one of ${chosen.map((name) => `-${name}`).join(', ')}`);
  if (values.out !== undefined && !values.template) throw new UsageError('-out only applies with -template');

  const configPath = configPathFrom(values.config, env);
  if (values.template) return { kind: 'template', configPath, out: values.out ?? '-' };
  if (values.validate) return { kind: 'validate', configPath };
  const request = clientRequest(values);
  return request ? { kind: 'client', configPath, request } : { kind: 'run', configPath };
}

function clientRequest(values: {
  reload?: boolean;
  ping?: boolean;
  maintenance?: string;
  putenv?: string[];
  putmetric?: string[];
}): ClientRequest | undefined {
  if (values.reload) return { verb: 'reload' };
  if (values.ping) return { verb: 'ping' };
  if (values.maintenance !== undefined) {
    if (values.maintenance !== 'enable' && values.maintenance !== 'disable') {
      throw new UsageError(`-maintenance takes "enable" or "disable", not "${values.maintenance}"`);
    }
    return { verb: 'maintenance', enabled: values.maintenance === 'enable' };
  }
  if (values.putenv) return { verb: 'putenv', values: parseEnvPairs(values.putenv) };
  if (values.putmetric) return { verb: 'putmetric', values: parseMetricPairs(values.putmetric) };
  return undefined;
}

/** KEY=VALUE, split at the first `=` (values may contain `=`); a bare KEY clears the variable. */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at === -1 ? pair : pair.slice(0, at);
    if (key === '') throw new UsageError(`-putenv "${pair}": expected KEY=VALUE`);
    values[key] = at === -1 ? '' : pair.slice(at + 1);
  }
  return values;
}

export function parseMetricPairs(pairs: readonly string[]): Record<string, number> {
  const values: Record<string, number> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at);
    const text = pair.slice(at + 1).trim();
    const value = Number(text);
    if (at < 1) throw new UsageError(`-putmetric "${pair}": expected NAME=NUMBER`);
    if (text === '' || !Number.isFinite(value)) {
      throw new UsageError(`-putmetric "${pair}": "${text}" is not a number`);
    }
    values[key] = value;
  }
  return values;
}
