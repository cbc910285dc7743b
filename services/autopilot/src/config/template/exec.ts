// Evaluates a parsed template against data, following text/template/exec.go: dot and $, variable
// scopes that end at {{end}}, field chains on maps/objects (methods are called), pipelines passing
// the previous result as the last argument, lazy and/or, range over arrays/maps/ints with else.
import {
  describeOperand,
  type Command,
  type ControlNode,
  type Node,
  type Operand,
  type Pipeline,
  type Tree,
} from './ast.ts';
import { BUILTINS, isTrue, type FuncMap } from './builtins.ts';
import { TemplateError, TemplateFuncError, type Position } from './errors.ts';
import { lookupField, rangeItems } from './fields.ts';
import { formatValue, goTypeName } from './format.ts';

export interface ExecOptions {
  funcs?: FuncMap;
  /**
   * What a missing map key yields. 'default': no value (prints "<no value>"); 'zero': the empty string
   * (data maps such as the environment are string-valued); 'error': execution fails.
   */
  missingKey?: 'default' | 'zero' | 'error';
}

const MAX_DEPTH = 1000;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
/** A value that is missing (not nil): printed as "<no value>" like Go's invalid reflect.Value. */
const NO_VALUE = undefined;

export function execute(tree: Tree, data: unknown, options: ExecOptions = {}): string {
  const state = new State(tree, options);
  state.vars.push({ name: '$', value: data });
  state.walkList(data, tree.root);
  return state.out.join('');
}

class State {
  readonly out: string[] = [];
  readonly vars: { name: string; value: unknown }[] = [];
  private depth = 0;
  private readonly tree: Tree;
  private readonly funcs: FuncMap;
  private readonly missingKey: NonNullable<ExecOptions['missingKey']>;

  constructor(tree: Tree, options: ExecOptions) {
    this.tree = tree;
    this.funcs = options.funcs ?? {};
    this.missingKey = options.missingKey ?? 'default';
  }

  private fail(pos: Position, message: string): never {
    throw new TemplateError(message, pos);
  }

  walkList(dot: unknown, list: Node[]): void {
    for (const node of list) this.walk(dot, node);
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0)
          this.out.push(value === null || value === NO_VALUE ? '<no value>' : formatValue(value));
        return;
      }
      case 'if':
      case 'with':
        return this.scoped(() => {
          const value = this.evalPipeline(dot, node.pipe);
          if (isTrue(value)) this.walkList(node.type === 'with' ? value : dot, node.list);
          else if (node.elseList) this.walkList(dot, node.elseList);
        });
      case 'range':
        return this.scoped(() => this.walkRange(dot, node));
      case 'template':
        return this.walkTemplate(dot, node);
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const value = this.evalPipeline(dot, { ...node.pipe, decl: [] });
    if (typeof value === 'number' && node.pipe.decl.length > 1) {
      this.fail(node.pipe.pos, `can't use ${value} to iterate over more than one variable`);
    }
    const items =
      rangeItems(value) ?? this.fail(node.pipe.pos, `range can't iterate over ${formatValue(value)}`);
    if (items.length === 0) {
      if (node.elseList) this.walkList(dot, node.elseList);
      return;
    }
    const [first, second] = node.pipe.decl;
    for (const [key, elem] of items) {
      const mark = this.vars.length;
      const bind = (name: string, value: unknown): void => {
        if (node.pipe.isAssign) this.setVar(name, value, node.pipe.pos);
        else this.vars.push({ name, value });
      };
      if (second !== undefined) {
        bind(first!, key);
        bind(second, elem);
      } else if (first !== undefined) bind(first, elem);
      try {
        this.walkList(elem, node.list);
      } catch (signal) {
        if (signal === BREAK) break;
        if (signal !== CONTINUE) throw signal;
      } finally {
        this.vars.length = mark;
      }
    }
  }

  private walkTemplate(dot: unknown, node: Extract<Node, { type: 'template' }>): void {
    const list = this.tree.defines.get(node.name);
    if (!list) this.fail(node.pos, `template ${JSON.stringify(node.name)} not defined`);
    if (++this.depth > MAX_DEPTH) this.fail(node.pos, `exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
    const saved = this.vars.splice(0);
    this.vars.push({ name: '$', value: newDot });
    try {
      this.walkList(newDot, list);
    } finally {
      this.vars.splice(0, this.vars.length, ...saved);
      this.depth--;
    }
  }

  // ---- pipelines and commands ----
  private evalPipeline(dot: unknown, pipe: Pipeline): unknown {
    let value: unknown;
    pipe.cmds.forEach((cmd, i) => {
      value = this.evalCommand(dot, cmd, i > 0 ? { value } : undefined);
    });
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value, pipe.pos);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, final?: { value: unknown }): unknown {
    const [first, ...rest] = cmd.args;
    if (!first) return this.fail(cmd.pos, 'empty command');
    switch (first.type) {
      case 'field':
        return this.evalFields(dot, dot, first.names, first.pos, rest, final);
      case 'variable':
        if (first.fields.length === 0) {
          this.notAFunction(cmd, final);
          return this.varValue(first.name, first.pos);
        }
        return this.evalFields(
          dot,
          this.varValue(first.name, first.pos),
          first.fields,
          first.pos,
          rest,
          final,
        );
      case 'chain':
        return this.evalFields(dot, this.evalArg(dot, first.node), first.fields, first.pos, rest, final);
      case 'identifier':
        return this.evalFunction(dot, first, rest, final);
      case 'nil':
        return this.fail(first.pos, 'nil is not a command');
      default:
        this.notAFunction(cmd, final);
        return this.evalArg(dot, first);
    }
  }

  private notAFunction(cmd: Command, final?: { value: unknown }): void {
    if (cmd.args.length > 1 || final)
      this.fail(cmd.pos, `can't give argument to non-function ${describeOperand(cmd.args[0]!)}`);
  }

  private evalArg(dot: unknown, arg: Operand): unknown {
    switch (arg.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'string':
      case 'number':
      case 'bool':
        return arg.value;
      case 'field':
        return this.evalFields(dot, dot, arg.names, arg.pos, []);
      case 'variable':
        return this.evalFields(dot, this.varValue(arg.name, arg.pos), arg.fields, arg.pos, []);
      case 'chain':
        return this.evalFields(dot, this.evalArg(dot, arg.node), arg.fields, arg.pos, []);
      case 'pipe':
        return this.evalPipeline(dot, arg.pipe);
      case 'identifier':
        return this.evalFunction(dot, arg, []);
    }
  }

  private evalFields(
    dot: unknown,
    receiver: unknown,
    names: string[],
    pos: Position,
    args: Operand[],
    final?: { value: unknown },
  ): unknown {
    let value = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      value = this.evalField(dot, value, name, pos, last ? args : [], last ? final : undefined);
    });
    return value;
  }

  /** `.name` on receiver: Maps and plain objects are Go maps; class instances are structs with methods. */
  private evalField(
    dot: unknown,
    receiver: unknown,
    name: string,
    pos: Position,
    args: Operand[],
    final?: { value: unknown },
  ): unknown {
    const hasArgs = args.length > 0 || final !== undefined;
    const field = lookupField(receiver, name);
    switch (field.kind) {
      case 'none':
        return this.fail(pos, `can't evaluate field ${name} in type ${field.type}`);
      case 'missing':
        if (hasArgs) this.fail(pos, `${name} is not a method but has arguments`);
        if (receiver === null || receiver === undefined) return NO_VALUE; // as Go: a field of no value is no value
        if (this.missingKey === 'error') this.fail(pos, `map has no entry for key ${JSON.stringify(name)}`);
        return this.missingKey === 'zero' ? '' : NO_VALUE;
      case 'value':
        if (hasArgs) this.fail(pos, `${name} is not a method but has arguments`);
        return field.value;
    }
    const argv = args.map((a) => this.evalArg(dot, a));
    if (final) argv.push(final.value);
    return this.call(name, () => field.method.apply(receiver, argv), pos);
  }

  private evalFunction(
    dot: unknown,
    ident: Extract<Operand, { type: 'identifier' }>,
    args: Operand[],
    final?: { value: unknown },
  ): unknown {
    const { name, pos } = ident;
    const user = Object.hasOwn(this.funcs, name) ? this.funcs[name] : undefined;
    if (!user && (name === 'and' || name === 'or')) {
      // Lazy: stop at the first argument that decides the result (Go >= 1.18).
      const thunks: (() => unknown)[] = args.map((a) => () => this.evalArg(dot, a));
      if (final) thunks.push(() => final.value);
      if (thunks.length === 0) this.fail(pos, `wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown;
      for (const thunk of thunks) {
        value = thunk();
        if (isTrue(value) === (name === 'or')) return value;
      }
      return value;
    }
    const argv = args.map((a) => this.evalArg(dot, a));
    if (final) argv.push(final.value);
    if (!user && name === 'call') {
      const [fn, ...rest] = argv;
      if (typeof fn !== 'function')
        this.fail(pos, `error calling call: non-function of type ${goTypeName(fn)}`);
      return this.call('call', () => (fn as (...a: unknown[]) => unknown)(...rest), pos);
    }
    const fn = (user ?? (Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined)) as
      ((...a: unknown[]) => unknown) | undefined;
    if (!fn) this.fail(pos, `function ${JSON.stringify(name)} not defined`);
    return this.call(name, () => fn(...argv), pos);
  }

  private call(name: string, fn: () => unknown, pos: Position): unknown {
    try {
      return fn();
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      const message = err instanceof TemplateFuncError || err instanceof Error ? err.message : String(err);
      return this.fail(pos, `error calling ${name}: ${message}`);
    }
  }

  private varValue(name: string, pos: Position): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.fail(pos, `undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown, pos: Position): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(pos, `undefined variable: ${name}`);
  }
}
