// autopilot's entry point (bin/autopilot.js loads it): parse the command line, then validate, render,
// talk to a running autopilot's control socket, or supervise. Supervising loads the config first, so
// a bad file prints its `file:line:col: message` lines and exits 1 before anything starts; as PID 1
// autopilot then becomes a tiny init around a worker that does the supervising.
import { hostname } from 'node:os';
import { runCli } from './cli/cli.ts';
import { loadConfig, renderConfigTemplate } from './config/load.ts';
import type { Config } from './config/types.ts';
import { createLogger } from './logging/logger.ts';
import { configStartsProcesses, runAsPid1, shouldActAsPid1 } from './supervisor/pid1.ts';
import { runSupervisor } from './supervisor/run.ts';

// The Consul service ID is `name-hostname`. AUTOPILOT_HOSTNAME overrides the hostname so several
// instances can share one machine (the local runner) without their IDs colliding.
const host = process.env.AUTOPILOT_HOSTNAME || hostname();

function supervise(config: Config): Promise<number> {
  // The config is valid (a bad one was reported above): as PID 1, exec into the small init, which
  // runs this command line again as its worker. A reload that adds exec jobs to a config that had
  // none runs without an init: restart the container instead.
  if (shouldActAsPid1() && configStartsProcesses(config)) runAsPid1(process.argv);
  const logger = createLogger(config.logging);
  // Reloads render the config template again with the environment as it is then.
  return runSupervisor(config, {
    logger,
    loadConfig: (path) => loadConfig(path, { env: process.env, hostname: host }),
    hostname: host,
  });
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  hostname: host,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  loadConfig,
  renderConfigTemplate,
  run: supervise,
});
// A supervisor that is done has stopped everything it started; whatever handle is left (a Consul
// keep-alive socket) must not keep the container running.
process.exit(code);
