// Event codes and sources, named as ContainerPilot names them in `when` clauses.

export const EVENT_CODES = [
  'startup',
  'shutdown',
  'exitSuccess',
  'exitFailed',
  'healthy',
  'unhealthy',
  'changed',
  'stopping',
  'stopped',
  'enterMaintenance',
  'exitMaintenance',
  'timerExpired',
  'signal',
  'error',
] as const;
export type EventCode = (typeof EVENT_CODES)[number];

/** Signals a `when.source` may name; each arrives as event `signal` from source e.g. "SIGHUP". */
export const SIGNAL_SOURCES = ['SIGHUP', 'SIGUSR2'] as const;

/** Source of startup/shutdown. */
export const GLOBAL_SOURCE = 'global';

export interface Event {
  code: EventCode;
  /** A job name, `watch.<name>`, `template.<name>`, a signal name, or 'global'. */
  source: string;
}

export const isEventCode = (value: string): value is EventCode =>
  (EVENT_CODES as readonly string[]).includes(value);

export const eventKey = (event: Event): string => `${event.code}:${event.source}`;
