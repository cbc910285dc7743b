// Tokenizer for Go text/template syntax. Mirrors text/template/parse/lex.go closely enough that the
// same inputs split the same way: text, `{{`/`}}` with `{{- ` / ` -}}` trim markers, comments,
// spaces (significant: they separate arguments), fields, variables, literals and keywords.
import { TemplateError, type Position } from './errors.ts';

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'comment'
  | 'space'
  | 'field' // .Foo
  | 'dot' // .
  | 'variable' // $ or $x
  | 'identifier' // function name
  | 'keyword' // if else end range with define template block break continue
  | 'bool'
  | 'nil'
  | 'number'
  | 'char'
  | 'string' // "interpreted"
  | 'rawString' // `raw`
  | 'leftParen'
  | 'rightParen'
  | 'pipe'
  | 'declare' // :=
  | 'assign' // =
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for text: the text after trimming). */
  value: string;
  pos: Position;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);
const LEFT = '{{';
const RIGHT = '}}';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/** Returns a function turning an offset into line:col (1-based), for error messages. */
export function locator(src: string, name: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { name, line: lo + 1, col: offset - lineStarts[lo]! + 1, offset };
  };
}

export function lex(src: string, name: string): Token[] {
  const tokens: Token[] = [];
  const at = locator(src, name);
  const fail = (offset: number, message: string): never => {
    throw new TemplateError(message, at(offset));
  };
  let i = 0;
  while (i < src.length) {
    // Text up to the next action; a `{{- ` trims the whitespace before it.
    const open = src.indexOf(LEFT, i);
    const textEnd = open < 0 ? src.length : open;
    const trimLeft = open >= 0 && src[open + 2] === '-' && isSpace(src[open + 3]);
    let text = src.slice(i, textEnd);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text.length > 0) tokens.push({ kind: 'text', value: text, pos: at(i) });
    if (open < 0) break;
    i = lexAction(src, open, trimLeft, tokens, at, fail);
  }
  tokens.push({ kind: 'eof', value: '', pos: at(src.length) });
  return tokens;
}

/** Lexes one `{{ ... }}` starting at `open`; returns the offset after it (and after any right-trim). */
function lexAction(
  src: string,
  open: number,
  trimLeft: boolean,
  tokens: Token[],
  at: (offset: number) => Position,
  fail: (offset: number, message: string) => never,
): number {
  let i = open + LEFT.length + (trimLeft ? 2 : 0);
  tokens.push({ kind: 'leftDelim', value: LEFT, pos: at(open) });
  const atRight = (j: number): { trim: boolean; len: number } | undefined => {
    if (isSpace(src[j]) && src[j + 1] === '-' && src.startsWith(RIGHT, j + 2)) return { trim: true, len: 4 };
    if (src.startsWith(RIGHT, j)) return { trim: false, len: 2 };
    return undefined;
  };
  const closeAction = (j: number, right: { trim: boolean; len: number }): number => {
    tokens.push({ kind: 'rightDelim', value: RIGHT, pos: at(j) });
    let next = j + right.len;
    if (right.trim) while (isSpace(src[next])) next++;
    return next;
  };
  if (src.startsWith('/*', i)) {
    const end = src.indexOf('*/', i + 2);
    if (end < 0) fail(i, 'unclosed comment');
    const right = atRight(end + 2);
    if (!right) fail(end + 2, 'comment ends before closing delimiter');
    tokens.push({ kind: 'comment', value: src.slice(i, end + 2), pos: at(i) });
    return closeAction(end + 2, right!);
  }
  let parenDepth = 0;
  for (;;) {
    const right = atRight(i);
    if (right && parenDepth === 0) return closeAction(i, right);
    const c = src[i];
    if (c === undefined) return fail(open, 'unclosed action');
    const start = i;
    const push = (kind: TokenKind, end: number): void => {
      tokens.push({ kind, value: src.slice(start, end), pos: at(start) });
      i = end;
    };
    if (right) fail(i, 'unclosed left paren');
    if (isSpace(c)) {
      // Newlines inside actions are allowed (Go >= 1.16); stop before a ` -}}` trim marker.
      let j = i;
      while (isSpace(src[j]) && !atRight(j)?.trim) j++;
      push('space', j);
    } else if (c === ':') {
      if (src[i + 1] !== '=') fail(i, 'expected :=');
      push('declare', i + 2);
    } else if (c === '=') push('assign', i + 1);
    else if (c === '|') push('pipe', i + 1);
    else if (c === ',') push('comma', i + 1);
    else if (c === '(') {
      parenDepth++;
      push('leftParen', i + 1);
    } else if (c === ')') {
      if (--parenDepth < 0) fail(i, `unexpected right paren`);
      push('rightParen', i + 1);
    } else if (c === '"') push('string', endOfQuoted(src, i, '"', fail));
    else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) fail(i, 'unterminated raw quoted string');
      push('rawString', end + 1);
    } else if (c === "'") push('char', endOfQuoted(src, i, "'", fail));
    else if (c === '$') {
      let j = i + 1;
      while (isAlnum(src[j])) j++;
      push('variable', j);
    } else if (c === '.') {
      if (/[0-9]/.test(src[i + 1] ?? '')) push('number', endOfNumber(src, i));
      else if (isAlnum(src[i + 1])) {
        let j = i + 1;
        while (isAlnum(src[j])) j++;
        push('field', j);
      } else push('dot', i + 1);
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+') && /[0-9.]/.test(src[i + 1] ?? ''))) {
      push('number', endOfNumber(src, i));
    } else if (isAlnum(c)) {
      let j = i;
      while (isAlnum(src[j])) j++;
      const word = src.slice(i, j);
      push(
        KEYWORDS.has(word)
          ? 'keyword'
          : word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : 'identifier',
        j,
      );
    } else fail(i, `unexpected ${JSON.stringify(c)} in command`);
  }
}

function endOfQuoted(
  src: string,
  start: number,
  quote: string,
  fail: (o: number, m: string) => never,
): number {
  let j = start + 1;
  for (;;) {
    const c = src[j];
    if (c === undefined || c === '\n')
      return fail(start, `unterminated ${quote === '"' ? 'quoted string' : 'character constant'}`);
    if (c === '\\') j += 2;
    else if (c === quote) return j + 1;
    else j++;
  }
}

function endOfNumber(src: string, start: number): number {
  const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?[\d_]*([eE][+-]?\d+)?)/.exec(
    src.slice(start),
  );
  const end = start + (m?.[0].length ?? 0);
  // A number glued to letters (e.g. 3x) is a typo, not two tokens.
  let j = end;
  while (isAlnum(src[j])) j++;
  return j;
}
