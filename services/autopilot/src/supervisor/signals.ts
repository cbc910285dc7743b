// Signals as ContainerPilot understands them: SIGTERM/SIGINT shut down, SIGHUP/SIGUSR2 become
// `signal` events jobs can react to, SIGUSR1 reopens the log file.
import { SIGNAL_SOURCES } from '../events/events.ts';

export interface SignalHandlers {
  shutdown(signal: NodeJS.Signals): void;
  event(signal: (typeof SIGNAL_SOURCES)[number]): void;
  reopenLogs(): void;
}

/** Installs the handlers; returns a function that removes them again. */
export function installSignalHandlers(handlers: SignalHandlers): () => void {
  const installed: Array<[NodeJS.Signals, () => void]> = [
    ['SIGTERM', () => handlers.shutdown('SIGTERM')],
    ['SIGINT', () => handlers.shutdown('SIGINT')],
    ['SIGUSR1', () => handlers.reopenLogs()],
    ...SIGNAL_SOURCES.map((signal): [NodeJS.Signals, () => void] => [signal, () => handlers.event(signal)]),
  ];
  for (const [signal, handler] of installed) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of installed) process.off(signal, handler);
  };
}
