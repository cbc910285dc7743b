// Human-readable log lines ('default' and 'text' formats) rendered synchronously with pino-pretty's
// formatter. pino-pretty's own stream is an asynchronous transform and would drop the last lines
// of a process that exits at once; formatting inline and writing to a sync destination does not.
import pinoPretty from 'pino-pretty';
import type { DestinationStream } from 'pino';
import type { SyncDestination } from './destinations.ts';

export interface PrettyOptions {
  colorize: boolean;
}

export function prettyStream(destination: SyncDestination, options: PrettyOptions): DestinationStream {
  const format = pinoPretty.prettyFactory({
    colorize: options.colorize,
    // One record per line: log collectors split on newlines. Errors keep their stack below.
    singleLine: true,
    ignore: 'pid,hostname',
    translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'",
  });
  return {
    write(line: string): void {
      destination.write(format(line));
    },
  };
}
