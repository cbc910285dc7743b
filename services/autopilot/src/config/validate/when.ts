// `jobs[].when`: exactly one of {source, once}, {source, each}, {interval}; optional timeout.
// A signal source alone ({source: "SIGHUP"}) fires on each signal, as ContainerPilot's
// integration test test_sighup configures it. Whether a source exists is checked in config.ts.
import {
  EVENT_CODES,
  GLOBAL_SOURCE,
  isEventCode,
  SIGNAL_SOURCES,
  type EventCode,
} from '../../events/events.ts';
import type { WhenConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { describePath, type Checker } from './checker.ts';
import { didYouMean } from './suggest.ts';

const KEYS = ['source', 'once', 'each', 'interval', 'timeout'] as const;
/** Events published by 'global'; `source` may be omitted for them. */
const GLOBAL_EVENTS: readonly EventCode[] = ['startup', 'shutdown', 'enterMaintenance', 'exitMaintenance'];

export const DEFAULT_WHEN: WhenConfig = { kind: 'once', source: GLOBAL_SOURCE, event: 'startup' };
export const isSignalSource = (s: string): boolean => (SIGNAL_SOURCES as readonly string[]).includes(s);

export function validateWhen(ck: Checker, path: Path, raw: unknown): WhenConfig | undefined {
  if (raw === undefined || raw === null) return { ...DEFAULT_WHEN };
  const o = ck.object(path, raw, KEYS);
  if (!o) return undefined;
  const has = (k: string): boolean => o[k] !== undefined && o[k] !== null && o[k] !== '';
  const timeout = has('timeout')
    ? ck.duration([...path, 'timeout'], o.timeout, { min: 1, rule: 'when-timeout' })
    : undefined;
  if (has('timeout') && timeout === undefined) return undefined;
  const withTimeout = (w: WhenConfig): WhenConfig => (timeout !== undefined ? { ...w, timeout } : w);

  if (has('interval')) {
    const extra = ['source', 'once', 'each'].find(has);
    if (extra)
      return ck.fail(
        [...path, extra],
        'when-kind',
        `${describePath(path)} can have only one of "interval", "once" or "each" ("${extra}" given with "interval")`,
        'key',
      );
    const interval = ck.duration([...path, 'interval'], o.interval, { min: 1, rule: 'when-interval' });
    return interval === undefined ? undefined : withTimeout({ kind: 'interval', interval });
  }
  if (has('once') && has('each'))
    return ck.fail(
      [...path, 'each'],
      'when-kind',
      `${describePath(path)} can have only one of "interval", "once" or "each"`,
      'key',
    );

  const source = has('source') ? ck.string([...path, 'source'], o.source) : undefined;
  if (has('source') && source === undefined) return undefined;
  const mode = has('once') ? 'once' : has('each') ? 'each' : undefined;

  if (source !== undefined && source.startsWith('SIG')) {
    if (!isSignalSource(source)) {
      const hint = source === 'SIGUSR1' ? ' (SIGUSR1 reopens the log file)' : '';
      return ck.fail(
        [...path, 'source'],
        'when-signal',
        `${describePath(path)}.source "${source}" is not a signal jobs can wait for${hint}; use ${SIGNAL_SOURCES.join(' or ')}`,
      );
    }
    if (mode && o[mode] !== 'signal') {
      return ck.fail(
        [...path, mode],
        'when-signal',
        `${describePath(path)}: a signal source publishes only "signal" events, got "${String(o[mode])}"`,
      );
    }
    return withTimeout({ kind: mode ?? 'each', source, event: 'signal' });
  }
  if (!mode) {
    return ck.fail(
      path,
      'when-kind',
      `${describePath(path)} needs one of "once", "each" (with "source") or "interval"`,
    );
  }
  const eventText = ck.string([...path, mode], o[mode]);
  if (eventText === undefined) return undefined;
  if (!isEventCode(eventText)) {
    return ck.fail(
      [...path, mode],
      'when-event',
      `${describePath(path)}.${mode}: unknown event "${eventText}"${didYouMean(eventText, EVENT_CODES)}`,
    );
  }
  if (source === undefined && !GLOBAL_EVENTS.includes(eventText)) {
    return ck.fail(
      path,
      'when-source',
      `${describePath(path)} needs "source": the job, watch.<name>, template.<name>, signal or "global" that publishes "${eventText}"`,
    );
  }
  return withTimeout({ kind: mode, source: source ?? GLOBAL_SOURCE, event: eventText });
}
