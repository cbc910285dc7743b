// Which control socket the client verbs talk to:
//   1. $CONTAINERPILOT_SOCKET: explicit, and needs no config file — e.g. a Kubernetes preStop hook in
//      the app container reaching autopilot's socket through a shared emptyDir volume;
//   2. control.socket of the config (-config or $CONTAINERPILOT), as ContainerPilot does;
//   3. the default /var/run/containerpilot.socket.
import type { Config } from '../config/types.ts';
import { DEFAULT_CONTROL_SOCKET } from '../config/validate/telemetry.ts';

export type ConfigLoader = (
  path: string,
  options: { env: NodeJS.ProcessEnv; hostname: string },
) => Config | Promise<Config>;

export async function resolveControlSocket(
  configPath: string | undefined,
  env: NodeJS.ProcessEnv,
  load: ConfigLoader,
  hostname: string,
): Promise<string> {
  if (env.CONTAINERPILOT_SOCKET) return env.CONTAINERPILOT_SOCKET;
  if (configPath) return (await load(configPath, { env, hostname })).control.socket;
  return DEFAULT_CONTROL_SOCKET;
}
