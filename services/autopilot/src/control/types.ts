// The operations the control socket (and thus the CLI client) drives on a running autopilot.
export interface ControlActions {
  /** Re-read the config file and restart every job with it (ContainerPilot's /v3/reload). */
  reload(): Promise<void>;
  setMaintenance(enabled: boolean): Promise<void>;
  /** Set environment variables seen by jobs started from now on. */
  putEnv(values: Record<string, string>): void;
  /** Set/add user metrics declared in the config; throws UnknownMetricError for undeclared names. */
  putMetric(values: Record<string, number>): void;
}

export { ControlInputError, UnknownMetricError } from './errors.ts';
