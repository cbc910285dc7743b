// What each command line does. The supervisor itself is injected (`run`) so everything else, and
// the client verbs end to end, can be exercised in-process.
import { writeFile } from 'node:fs/promises';
import type { Config } from '../config/types.ts';
import { AUTOPILOT_VERSION, COMPATIBLE_CONTAINERPILOT } from '../version.ts';
import { parseCommandLine, UsageError, type Command } from './args.ts';
import { runClientCommand } from './client-command.ts';
import { resolveControlSocket, type ConfigLoader } from './socket.ts';
import { USAGE } from './usage.ts';

export const EXIT_OK = 0;
/** Bad config, unreachable control socket, refused request. */
export const EXIT_FAILURE = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;

export interface CliDeps {
  env: NodeJS.ProcessEnv;
  hostname: string;
  stdout(text: string): void;
  stderr(text: string): void;
  loadConfig: ConfigLoader;
  renderConfigTemplate(path: string, env: NodeJS.ProcessEnv): string | Promise<string>;
  /** Supervise with a valid config until done; resolves to the process exit code. */
  run(config: Config): Promise<number>;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv, deps.env);
    return await execute(command, deps);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    deps.stderr(`autopilot: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
}

async function execute(command: Command, deps: CliDeps): Promise<number> {
  switch (command.kind) {
    case 'help':
      deps.stdout(USAGE);
      return EXIT_OK;
    case 'version':
      deps.stdout(
        `Version: ${AUTOPILOT_VERSION}\nContainerPilot compatibility: ${COMPATIBLE_CONTAINERPILOT}\n`,
      );
      return EXIT_OK;
    case 'template': {
      const path = requireConfigPath(command.configPath);
      const rendered = await reportFailure(deps, () => deps.renderConfigTemplate(path, deps.env));
      if (rendered === undefined) return EXIT_FAILURE;
      if (command.out === '-') {
        deps.stdout(rendered);
        return EXIT_OK;
      }
      const out = command.out;
      const written = await reportFailure(deps, async () => {
        await writeFile(out, rendered).catch((error: Error) => {
          throw new Error(`autopilot -template: cannot write ${out}: ${error.message}`, { cause: error });
        });
        return true;
      });
      return written ? EXIT_OK : EXIT_FAILURE;
    }
    case 'validate': {
      const config = await load(requireConfigPath(command.configPath), deps);
      if (!config) return EXIT_FAILURE;
      deps.stdout(`${config.path || command.configPath}: valid\n`);
      return EXIT_OK;
    }
    case 'client': {
      const { configPath, request } = command;
      const socket = await reportFailure(deps, () =>
        resolveControlSocket(configPath, deps.env, deps.loadConfig, deps.hostname),
      );
      if (socket === undefined) return EXIT_FAILURE;
      return runClientCommand(request, socket, deps);
    }
    case 'run': {
      const config = await load(requireConfigPath(command.configPath), deps);
      return config ? deps.run(config) : EXIT_FAILURE;
    }
  }
}

function requireConfigPath(configPath: string | undefined): string {
  if (!configPath) throw new UsageError('no configuration: pass -config FILE or set CONTAINERPILOT');
  return configPath;
}

const load = (path: string, deps: CliDeps): Promise<Config | undefined> =>
  reportFailure(deps, () => deps.loadConfig(path, { env: deps.env, hostname: deps.hostname }));

/** Config errors are already `file:line:col: message` lines: print them as they are. */
async function reportFailure<T>(deps: CliDeps, task: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await task();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.stderr(message.endsWith('\n') ? message : `${message}\n`);
    return undefined;
  }
}
