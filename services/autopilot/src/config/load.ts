// Entry point: read a ContainerPilot v3 config (JSON5, or YAML by extension), render it as a Go
// template with the environment as data, parse, validate, and return the normalised Config or throw
// a ConfigError listing every problem as FILE:LINE:COL: message (rule).
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './issues.ts';
import { parseConfigText } from './parse.ts';
import { configFuncs } from './template/config-funcs.ts';
import { render, TemplateError } from './template/template.ts';
import type { Config } from './types.ts';
import { validateConfig } from './validate/config.ts';

export { ConfigError, formatIssue, type ConfigIssue } from './issues.ts';

export interface LoadOptions {
  /** Template data and Consul overrides; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** For service IDs (`name-hostname`); default os.hostname(). */
  hostname?: string;
}

/** The config path from the -config argument, else $CONTAINERPILOT (a file:// prefix is accepted). */
export function configPathFrom(arg?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = arg || env.CONTAINERPILOT;
  return raw ? raw.replace(/^file:\/\//, '') : undefined;
}

const envData = (env: NodeJS.ProcessEnv): Record<string, string> => {
  const data: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) data[k] = v;
  return data;
};

/**
 * Renders config text as ContainerPilot does: Go template, environment as data, missing keys empty,
 * functions default/env/split/join/replaceAll/regexReplaceAll/loop. Values containing "=" stay whole.
 */
export function renderConfigText(text: string, env: NodeJS.ProcessEnv, file = 'config'): string {
  const data = envData(env);
  try {
    return render(text, data, { name: file, funcs: configFuncs(data), missingKey: 'zero' });
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new ConfigError([
        { file, line: err.pos.line, col: err.pos.col, message: err.reason, rule: 'template' },
      ]);
    }
    throw err;
  }
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError([
      { file: path, line: 1, col: 1, message: `could not read config file: ${reason}`, rule: 'read' },
    ]);
  }
}

/** The CLI's -template: the rendered text, unparsed. */
export async function renderConfigTemplate(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return renderConfigText(await readConfigFile(path), env, path);
}

export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<Config> {
  const env = opts.env ?? process.env;
  const text = await renderConfigTemplate(path, env);
  const parsed = parseConfigText(text, path);
  const issues: ConfigIssue[] = [...parsed.issues];
  if (parsed.config) {
    const absolute = resolve(path);
    const result = validateConfig(parsed.config, {
      env,
      hostname: opts.hostname ?? osHostname(),
      path: absolute,
      configDir: dirname(absolute),
    });
    issues.push(...result.issues);
    if (result.config && issues.length === 0) return result.config;
  }
  throw new ConfigError(issues);
}
