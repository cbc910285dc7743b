// Public API of the Go text/template engine: compile once, execute with any data and function table.
// The function table is pluggable: ContainerPilot's config functions live in config-funcs.ts; the
// nginx/consul-template renderer brings its own (service, key, ...).
import type { Tree } from './ast.ts';
import { execute, type ExecOptions } from './exec.ts';
import { parse } from './parser.ts';

export type { FuncMap, TemplateFunc } from './builtins.ts';
export { isTrue } from './builtins.ts';
export { TemplateError, TemplateFuncError, type Position } from './errors.ts';
export type { ExecOptions } from './exec.ts';

export interface CompileOptions extends ExecOptions {
  /** Used in error messages (file path or template name). Default "template". */
  name?: string;
}

export class Template {
  readonly name: string;
  private readonly tree: Tree;
  private readonly options: ExecOptions;

  constructor(tree: Tree, options: ExecOptions) {
    this.name = tree.name;
    this.tree = tree;
    this.options = options;
  }

  /** Renders with `data` as dot and $; `overrides` replace the compile-time function table/options. */
  execute(data: unknown, overrides: ExecOptions = {}): string {
    return execute(this.tree, data, {
      ...this.options,
      ...overrides,
      funcs: { ...this.options.funcs, ...overrides.funcs },
    });
  }
}

/** Parses `src`. With `funcs` given, calls to unknown functions fail at parse time, as in Go. */
export function compile(src: string, options: CompileOptions = {}): Template {
  const { name = 'template', ...exec } = options;
  const funcNames = exec.funcs ? new Set(Object.keys(exec.funcs)) : undefined;
  return new Template(parse(src, name, funcNames ? { funcNames } : {}), exec);
}

/** Parses and renders in one go. Throws TemplateError (with name:line:col) on any problem. */
export function render(src: string, data: unknown, options: CompileOptions = {}): string {
  return compile(src, options).execute(data);
}
