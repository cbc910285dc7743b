// Token cursor for the parser: peeking past spaces, expecting kinds, failing at a token's position.
import { TemplateError } from './errors.ts';
import type { Token, TokenKind } from './lexer.ts';

export class TokenCursor {
  protected i = 0;
  protected readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  protected peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  protected next(): Token {
    return this.tokens[Math.min(this.i++, this.tokens.length - 1)]!;
  }
  protected peekNonSpace(): Token {
    while (this.peek().kind === 'space') this.i++;
    return this.peek();
  }
  protected nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }
  /** The keyword `n` non-space tokens ahead (used right after a left delimiter). */
  protected peekKeyword(n: number): string | undefined {
    let j = this.i + n;
    while (this.tokens[j]?.kind === 'space') j++;
    const t = this.tokens[j];
    return t?.kind === 'keyword' ? t.value : undefined;
  }
  protected fail(t: Token, message: string): never {
    throw new TemplateError(message, t.pos);
  }
  protected describe(t: Token): string {
    if (t.kind === 'eof') return 'EOF';
    if (t.kind === 'rightDelim') return '"}}"';
    if (t.kind === 'space') return 'space';
    return `<${t.value}>`;
  }
  protected expect(kind: TokenKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.fail(t, `unexpected ${this.describe(t)} in ${context}`);
    return t;
  }
}
