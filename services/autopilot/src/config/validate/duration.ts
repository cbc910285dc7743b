// Durations as ContainerPilot reads them (config/timing): Go duration strings ("1m30s", "500ms"),
// or a plain number / digit-only string meaning seconds. Results are milliseconds.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** time.ParseDuration, in milliseconds. Throws with Go's wording on bad input. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (s !== '') {
    const m = part.exec(s);
    const [whole, int = '', frac, unit = ''] = m ?? [];
    if (!m || whole === '' || (int === '' && (frac === undefined || frac === '')))
      throw new Error(`time: invalid duration ${quoted}`);
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const scale = UNIT_MS[unit];
    if (scale === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(`${int || '0'}.${frac || '0'}`) * scale;
    s = s.slice(whole!.length);
  }
  return sign * total;
}

/** A config duration: number or digit string = seconds; otherwise a Go duration string. */
export function parseConfigDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`invalid duration ${value}`);
    return value * 1000;
  }
  if (typeof value !== 'string') throw new Error(`expected a duration like "10s" or a number of seconds`);
  const trimmed = value.trim();
  if (/^[+-]?\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  return parseGoDuration(trimmed);
}

/** Go's Duration.String() for messages: 1500 → "1.5s", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${+rest.toFixed(6)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = +(rest / 1000).toFixed(9);
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
