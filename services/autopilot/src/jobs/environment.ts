// The environment every child process gets: autopilot's own environment, values set through the
// control socket (putEnv), and ContainerPilot's CONTAINERPILOT_PID / _{JOB}_IP / _{JOB}_PID.

/** CONTAINERPILOT_{JOB}_{SUFFIX}: the name upper-cased, anything but letters and digits as `_`. */
export const jobEnvName = (job: string, suffix: 'IP' | 'PID'): string =>
  `CONTAINERPILOT_${job.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${suffix}`;

/** Variables of autopilot's own plumbing that must not leak into children (a nested autopilot). */
const PRIVATE_VARIABLES = ['AUTOPILOT_WORKER', 'AUTOPILOT_SUBREAPER'];

export class JobEnvironment {
  private readonly base: NodeJS.ProcessEnv;
  private readonly supervisorPid: number;
  private readonly values = new Map<string, string>();

  constructor(base: NodeJS.ProcessEnv = process.env, supervisorPid: number = process.pid) {
    this.base = base;
    this.supervisorPid = supervisorPid;
  }

  /** Values from putEnv: seen by every process started from now on. */
  put(values: Record<string, string>): void {
    for (const [key, value] of Object.entries(values)) this.values.set(key, value);
  }

  setJobIp(job: string, address: string): void {
    this.values.set(jobEnvName(job, 'IP'), address);
  }

  setJobPid(job: string, pid: number | undefined): void {
    if (pid === undefined) this.values.delete(jobEnvName(job, 'PID'));
    else this.values.set(jobEnvName(job, 'PID'), String(pid));
  }

  /** A fresh copy for one child process. */
  forChild(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.base };
    for (const name of PRIVATE_VARIABLES) delete env[name];
    for (const [key, value] of this.values) env[key] = value;
    env.CONTAINERPILOT_PID = String(this.supervisorPid);
    return env;
  }
}
