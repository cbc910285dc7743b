// /status: ContainerPilot's JSON shape (Version, Jobs, Services, Watches, with its status words),
// plus what autopilot knows beyond it (Maintenance, and the full snapshot under Detail).
import type { JobState, JobStatus, StatusSnapshot } from '../supervisor/types.ts';

export interface StatusDocument {
  Version: string;
  Jobs: { Name: string; Status: string }[];
  Services: { Name: string; Address: string; Port: number; Status: string }[];
  Watches: string[];
  Maintenance: boolean;
  Detail: Pick<StatusSnapshot, 'jobs' | 'watches'>;
}

/** ContainerPilot reports healthy, unhealthy, maintenance, completed or unknown. */
export function containerPilotStatus(job: Pick<JobStatus, 'state' | 'serviceId'>): string {
  const state: JobState = job.state;
  switch (state) {
    case 'healthy':
    case 'unhealthy':
    case 'maintenance':
    case 'completed':
      return state;
    case 'running':
      // A running job without a health check is "always healthy" to ContainerPilot; a service
      // that has not passed its first check yet is unknown.
      return job.serviceId === undefined ? 'healthy' : 'unknown';
    case 'idle':
    case 'stopping':
    case 'stopped':
      return 'unknown';
  }
}

export function statusDocument(snapshot: StatusSnapshot): StatusDocument {
  const services = snapshot.jobs.filter((job) => job.serviceId !== undefined);
  const others = snapshot.jobs.filter((job) => job.serviceId === undefined);
  return {
    Version: snapshot.version,
    Jobs: others.map((job) => ({ Name: job.name, Status: containerPilotStatus(job) })),
    Services: services.map((job) => ({
      Name: job.name,
      Address: job.address ?? '',
      Port: job.port ?? 0,
      Status: containerPilotStatus(job),
    })),
    Watches: snapshot.watches.map((watch) => watch.name),
    Maintenance: snapshot.maintenance,
    Detail: { jobs: snapshot.jobs, watches: snapshot.watches },
  };
}
