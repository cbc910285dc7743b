// `templates[]` (ours): Go templates rendered from Consul data to a file. Each publishes as source
// `template.<name>`. Relative paths are resolved against the config file's directory.
import { resolve } from 'node:path';
import type { TemplateConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { describePath, type Checker } from './checker.ts';

const KEYS = ['name', 'source', 'dest', 'mode', 'onChange'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const DEFAULT_MODE = 0o644;

/** "0644", "644", "0o644" or a number written with octal digits (644 means 0644). */
export function parseFileMode(raw: unknown): number | undefined {
  const text =
    typeof raw === 'number' && Number.isInteger(raw)
      ? String(raw)
      : typeof raw === 'string'
        ? raw.trim()
        : '';
  const m = /^(?:0o?)?([0-7]{1,4})$/i.exec(text);
  return m ? parseInt(m[1]!, 8) : undefined;
}

export function validateTemplate(
  ck: Checker,
  index: number,
  raw: unknown,
  configDir: string,
): { template?: TemplateConfig; name?: string } {
  const path: Path = ['templates', index];
  const before = ck.issues.length;
  const o = ck.object(path, raw, KEYS);
  if (!o) return {};
  const has = (k: string): boolean => o[k] !== undefined && o[k] !== null;
  const need = (k: string, what: string): string | undefined =>
    has(k)
      ? ck.string([...path, k], o[k])
      : ck.fail(path, 'template-field', `${describePath(path)} needs "${k}" (${what})`);
  const name = need('name', 'events come from template.<name>');
  if (name !== undefined && !NAME.test(name))
    ck.fail(
      [...path, 'name'],
      'template-name',
      `template name "${name}" may only use letters, digits, _, . and -`,
    );
  const source = need('source', 'the template file');
  const dest = need('dest', 'the file to write');
  let mode = DEFAULT_MODE;
  if (has('mode')) {
    const parsed = parseFileMode(o.mode);
    if (parsed === undefined)
      ck.fail(
        [...path, 'mode'],
        'file-mode',
        `${describePath(path)}.mode must be an octal file mode like "0644", got ${JSON.stringify(o.mode)}`,
      );
    else mode = parsed;
  }
  const onChange = has('onChange') ? ck.argv([...path, 'onChange'], o.onChange) : undefined;
  if (ck.issues.length > before || name === undefined || source === undefined || dest === undefined)
    return { name };
  return {
    name,
    template: {
      name,
      source: resolve(configDir, source),
      dest: resolve(configDir, dest),
      mode,
      ...(onChange ? { onChange } : {}),
    },
  };
}
