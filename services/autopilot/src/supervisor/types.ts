// What the running supervisor reports about itself: /status (telemetry) and the CLI read this.
export type JobState =
  | 'idle' // waiting for its `when`
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'maintenance'
  | 'stopping'
  | 'stopped' // finished for good (restarts exhausted or shut down)
  | 'completed'; // a one-shot job that ran and exited

export interface JobStatus {
  name: string;
  state: JobState;
  pid?: number;
  restarts: number;
  lastExit?: string;
  /** Consul service ID, for service jobs. */
  serviceId?: string;
  address?: string;
  port?: number;
}

export interface WatchStatus {
  name: string;
  kind: 'service' | 'key';
  /** Healthy instances for service watches. */
  instances: number;
}

export interface StatusSnapshot {
  version: string;
  maintenance: boolean;
  jobs: JobStatus[];
  watches: WatchStatus[];
}
