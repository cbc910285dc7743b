// Recursive-descent parser for Go text/template, following text/template/parse/parse.go: the same
// grammar, the same parse-time checks (undefined variables, unknown functions when a function table
// is given, misplaced else/end/break) and messages that say what was found where.
import type { Command, Node, Operand, Pipeline, Tree } from './ast.ts';
import { BUILTINS } from './builtins.ts';
import { TokenCursor } from './cursor.ts';
import { lex, type Token } from './lexer.ts';
import { parseNumber, unquote } from './literals.ts';

export interface ParseOptions {
  /** When given, calls to names outside this set are parse errors (as in Go). */
  funcNames?: ReadonlySet<string>;
}

const BUILTIN_NAMES = new Set([...Object.keys(BUILTINS), 'and', 'or', 'call']);

export function parse(src: string, name: string, options: ParseOptions = {}): Tree {
  return new Parser(lex(src, name), name, options).parseTree();
}

type Terminator = 'end' | 'else';

class Parser extends TokenCursor {
  private vars: string[][] = [['$']];
  private rangeDepth = 0;
  /** The `end`/`else` keyword token that closed the last list, for error positions. */
  private terminator: Token | undefined;
  private readonly defines = new Map<string, Node[]>();
  private readonly name: string;
  private readonly options: ParseOptions;

  constructor(tokens: Token[], name: string, options: ParseOptions) {
    super(tokens);
    this.name = name;
    this.options = options;
  }

  parseTree(): Tree {
    const root: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'leftDelim' && this.peekKeyword(1) === 'define') {
        this.next();
        this.nextNonSpace();
        this.parseDefinition();
        continue;
      }
      const node = this.textOrAction();
      if (typeof node === 'string') this.fail(this.terminator!, `unexpected {{${node}}}`);
      if (node) root.push(node);
    }
    return { name: this.name, root, defines: this.defines };
  }

  // ---- lists and actions ----
  /** A node, or the keyword ('end'/'else') of a `{{end}}`/`{{else ...` that closes a list. */
  private textOrAction(): Node | Terminator | undefined {
    const t = this.next();
    if (t.kind === 'text') return { type: 'text', text: t.value, pos: t.pos };
    if (t.kind !== 'leftDelim') this.fail(t, `unexpected ${this.describe(t)}`);
    return this.action();
  }

  private itemList(context: string, opener: Token): { list: Node[]; end: Terminator } {
    const list: Node[] = [];
    for (;;) {
      if (this.peek().kind === 'eof')
        this.fail(opener, `unexpected EOF: {{${context}}} has no matching {{end}}`);
      const node = this.textOrAction();
      if (node === 'end' || node === 'else') return { list, end: node };
      if (node) list.push(node);
    }
  }

  private action(): Node | Terminator | undefined {
    const t = this.peekNonSpace();
    if (t.kind === 'comment') {
      this.next();
      this.expect('rightDelim', 'comment');
      return undefined;
    }
    if (t.kind === 'keyword') {
      this.next();
      if (t.value === 'end' || t.value === 'else') this.terminator = t;
      switch (t.value) {
        case 'end':
          this.expect('rightDelim', 'end');
          return 'end';
        case 'else':
          // `{{else if ...}}` / `{{else with ...}}` are left for the enclosing control to read.
          if (this.peekNonSpace().kind !== 'keyword') this.expect('rightDelim', 'else');
          return 'else';
        case 'if':
        case 'with':
        case 'range':
          return this.control(t.value, t);
        case 'template':
        case 'block':
          return this.templateCall(t.value, t);
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(t, `{{${t.value}}} outside {{range}}`);
          this.expect('rightDelim', t.value);
          return { type: t.value, pos: t.pos };
        default:
          this.fail(t, `unexpected <${t.value}>`);
      }
    }
    const pipe = this.pipeline('command', 'rightDelim');
    return { type: 'action', pipe, pos: t.pos };
  }

  private control(kind: 'if' | 'with' | 'range', at: Token): Node {
    this.vars.push([]);
    if (kind === 'range') this.rangeDepth++;
    const pipe = this.pipeline(kind, 'rightDelim');
    const body = this.itemList(kind, at);
    const list = body.list;
    let end = body.end;
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end === 'else') {
      const chained = this.peekNonSpace();
      if (chained.kind === 'keyword' && kind !== 'range' && chained.value === kind) {
        // `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}`: the nested control's end closes both.
        this.next();
        elseList = [this.control(kind, chained)];
      } else {
        if (chained.kind === 'keyword')
          this.fail(chained, `unexpected <${chained.value}> after {{else}} in ${kind}`);
        ({ list: elseList, end } = this.itemList(kind, at));
        if (end !== 'end') this.fail(this.terminator!, `expected {{end}}; found {{else}}`);
      }
    }
    this.vars.pop();
    return { type: kind, pipe, list, ...(elseList ? { elseList } : {}), pos: at.pos };
  }

  private templateCall(kind: string, at: Token): Node {
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString')
      this.fail(nameTok, `unexpected ${this.describe(nameTok)} in ${kind} clause`);
    const name = this.unquoteToken(nameTok);
    const pipe =
      this.peekNonSpace().kind === 'rightDelim'
        ? (this.next(), undefined)
        : this.pipeline(kind, 'rightDelim');
    if (kind === 'block') {
      const { list, end } = this.itemList(`block "${name}"`, at);
      if (end !== 'end') this.fail(this.terminator!, 'unexpected {{else}} in block');
      this.defines.set(name, list);
    }
    return { type: 'template', name, ...(pipe ? { pipe } : {}), pos: at.pos };
  }

  private parseDefinition(): void {
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString')
      this.fail(nameTok, 'define clause needs a name string');
    this.expect('rightDelim', 'define clause');
    const outer = this.vars;
    this.vars = [['$']];
    const { list, end } = this.itemList(`define "${this.unquoteToken(nameTok)}"`, nameTok);
    if (end !== 'end') this.fail(this.terminator!, 'unexpected {{else}} in define');
    this.vars = outer;
    this.defines.set(this.unquoteToken(nameTok), list);
  }

  // ---- pipelines, commands, operands ----
  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const start = this.peekNonSpace();
    const decl: string[] = [];
    let isAssign = false;
    if (start.kind === 'variable') {
      const save = this.i;
      const names = [this.next().value];
      let sep = this.nextNonSpace();
      if (sep.kind === 'comma') {
        if (context !== 'range') this.fail(sep, 'too many declarations in command');
        names.push(this.expect('variable', 'range declaration').value);
        sep = this.nextNonSpace();
        if (sep.kind !== 'declare' && sep.kind !== 'assign')
          this.fail(sep, `expected := or = in range declaration`);
      }
      if (sep.kind === 'declare' || sep.kind === 'assign') {
        isAssign = sep.kind === 'assign';
        for (const n of names) {
          if (isAssign) this.checkVariable(n, start);
          else this.vars.at(-1)!.push(n);
        }
        decl.push(...names);
      } else this.i = save;
    }
    const cmds: Command[] = [];
    if (this.peekNonSpace().kind === end) this.fail(start, `missing value for ${context}`);
    for (;;) {
      cmds.push(this.command());
      const t = this.nextNonSpace();
      if (t.kind === end) break;
      if (t.kind !== 'pipe') this.fail(t, `unexpected ${this.describe(t)} in ${context}`);
      if ([end, 'pipe'].includes(this.peekNonSpace().kind)) this.fail(t, 'missing command after |');
    }
    return { pos: start.pos, isAssign, decl, cmds };
  }

  private command(): Command {
    const args: Operand[] = [];
    const pos = this.peekNonSpace().pos;
    for (;;) {
      this.peekNonSpace();
      args.push(this.operand());
      const t = this.peek();
      if (t.kind === 'space') {
        const after = this.peekNonSpace();
        if (['pipe', 'rightDelim', 'rightParen'].includes(after.kind)) break;
        continue;
      }
      if (['pipe', 'rightDelim', 'rightParen'].includes(t.kind)) break;
      this.fail(t, `unexpected ${this.describe(t)} in operand`);
    }
    return { pos, args };
  }

  private operand(): Operand {
    const term = this.term();
    const fields: string[] = [];
    while (this.peek().kind === 'field') fields.push(this.next().value.slice(1));
    if (fields.length === 0) return term;
    switch (term.type) {
      case 'field':
        return { ...term, names: [...term.names, ...fields] };
      case 'variable':
        return { ...term, fields: [...term.fields, ...fields] };
      case 'pipe':
      case 'chain':
        return { type: 'chain', node: term, fields, pos: term.pos };
      default:
        return this.fail(
          this.tokens[this.i - fields.length]!,
          `unexpected . after term ${JSON.stringify(term.type)}`,
        );
    }
  }

  private term(): Operand {
    const t = this.next();
    const pos = t.pos;
    switch (t.kind) {
      case 'dot':
        return { type: 'dot', pos };
      case 'field':
        return { type: 'field', names: [t.value.slice(1)], pos };
      case 'variable':
        this.checkVariable(t.value, t);
        return { type: 'variable', name: t.value, fields: [], pos };
      case 'identifier':
        if (this.options.funcNames && !this.options.funcNames.has(t.value) && !BUILTIN_NAMES.has(t.value)) {
          this.fail(t, `function ${JSON.stringify(t.value)} not defined`);
        }
        return { type: 'identifier', name: t.value, pos };
      case 'string':
      case 'rawString':
        return { type: 'string', value: this.unquoteToken(t), pos };
      case 'char':
        return { type: 'number', value: this.unquoteToken(t).codePointAt(0) ?? 0, text: t.value, pos };
      case 'number':
        return { type: 'number', value: this.number(t), text: t.value, pos };
      case 'bool':
        return { type: 'bool', value: t.value === 'true', pos };
      case 'nil':
        return { type: 'nil', pos };
      case 'leftParen':
        return { type: 'pipe', pipe: this.pipeline('parenthesized pipeline', 'rightParen'), pos };
      default:
        return this.fail(t, `unexpected ${this.describe(t)} in operand`);
    }
  }

  private checkVariable(name: string, at: Token): void {
    if (!this.vars.some((scope) => scope.includes(name))) this.fail(at, `undefined variable "${name}"`);
  }

  private number(t: Token): number {
    const value = parseNumber(t.value);
    return value ?? this.fail(t, `bad number syntax: "${t.value}"`);
  }

  private unquoteToken(t: Token): string {
    try {
      return unquote(t.value);
    } catch (err) {
      return this.fail(t, (err as Error).message);
    }
  }
}
