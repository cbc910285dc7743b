// Builds the jobs of one configuration and links each to the preStop hooks it must wait for.
import type { JobConfig } from '../config/types.ts';
import { Job, type JobDeps } from './job.ts';
import { runsBeforeStopOf } from './when.ts';

export function createJobs(configs: readonly JobConfig[], depsFor: (config: JobConfig) => JobDeps): Job[] {
  const jobs = configs.map((config) => new Job(config, depsFor(config)));
  for (const job of jobs) {
    job.preStopHooks = jobs.filter(
      (other) => other.config.exec !== undefined && runsBeforeStopOf(other.config, job.name),
    );
  }
  return jobs;
}
