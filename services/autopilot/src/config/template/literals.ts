// Go literals: strconv.Unquote for "interpreted" strings, `raw` strings and 'c' character
// constants, and number literals (decimal, hex, octal, binary, floats, with _ separators).

const SIMPLE: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"',
}; // prettier-ignore

export function unquote(literal: string): string {
  const quote = literal[0];
  if (quote === '`') return literal.slice(1, -1).replace(/\r/g, '');
  const body = literal.slice(1, -1);
  let out = '';
  const bytes: number[] = []; // \x and octal escapes are bytes: collect runs and decode as UTF-8
  const flush = (): void => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error(`invalid syntax: ${literal}`);
    const simple = SIMPLE[e];
    if (simple !== undefined && !(e === "'" && quote === '"') && !(e === '"' && quote === "'")) {
      flush();
      out += simple;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Error(`invalid syntax: ${literal}`);
      i += len;
      if (e === 'x') bytes.push(parseInt(hex, 16));
      else {
        flush();
        out += String.fromCodePoint(parseInt(hex, 16));
      }
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error(`invalid syntax: ${literal}`);
      bytes.push(parseInt(oct, 8));
      i += 2;
    } else throw new Error(`invalid syntax: ${literal}`);
  }
  flush();
  if (quote === "'" && [...out].length !== 1) throw new Error(`malformed character constant: ${literal}`);
  return out;
}

/** A Go number literal's value, or undefined if it is not one. */
export function parseNumber(literal: string): number | undefined {
  const text = literal.replace(/_/g, '');
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) return sign * parseInt(body.slice(2), 16);
  if (/^0[bB][01]+$/.test(body)) return sign * parseInt(body.slice(2), 2);
  if (/^0[oO]?[0-7]+$/.test(body)) return sign * parseInt(body.replace(/^0[oO]?/, ''), 8);
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) return sign * Number(body);
  return undefined;
}
