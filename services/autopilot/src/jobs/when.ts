// Which events start a job (its `when`), and which jobs are stop hooks (preStop / postStop style).
import type { JobConfig, WhenConfig } from '../config/types.ts';
import { GLOBAL_SOURCE, type Event, type EventCode } from '../events/events.ts';

/** True when `event` is the one a `once`/`each` job waits for. Interval jobs start at global startup. */
export function isTrigger(when: WhenConfig, event: Event): boolean {
  if (when.kind === 'interval') return event.code === 'startup' && event.source === GLOBAL_SOURCE;
  return event.code === when.event && event.source === when.source;
}

/** Events that only happen while stopping: jobs reacting to them must outlive the shutdown to run. */
const STOP_EVENTS: readonly EventCode[] = ['stopping', 'stopped', 'shutdown'];

/** A job that runs because something is stopping: it keeps listening through the shutdown. */
export function isStopHook(config: JobConfig): boolean {
  return (
    config.exec !== undefined && config.when.kind !== 'interval' && STOP_EVENTS.includes(config.when.event)
  );
}

/** True when `config` reacts to `jobName`'s `stopping`: `jobName` waits for it before stopping. */
export function runsBeforeStopOf(config: JobConfig, jobName: string): boolean {
  return (
    config.when.kind !== 'interval' && config.when.event === 'stopping' && config.when.source === jobName
  );
}
