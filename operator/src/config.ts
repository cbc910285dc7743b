// The operator's settings, from its environment (the Helm chart sets them). Image names here are
// defaults: a HelloWorldApp's spec.images overrides them per app, and an operator upgrade that ships
// new defaults rolls every app that does not pin its own.
export const IMAGE_COMPONENTS = ['autopilot', 'hello', 'world', 'nginx', 'consul'] as const;
export type ImageComponent = (typeof IMAGE_COMPONENTS)[number];
export type ComponentImages = Record<ImageComponent, string>;

export interface OperatorConfig {
  images: ComponentImages;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Empty: every namespace. */
  watchNamespace: string;
  /** Where the leader-election Lease lives. */
  podNamespace: string;
  podName: string;
  leaderElect: boolean;
  /** /healthz, /readyz and /metrics. */
  port: number;
  logLevel: string;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

export function readConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const images = Object.fromEntries(
    IMAGE_COMPONENTS.map((c) => [c, env[`${c.toUpperCase()}_IMAGE`] || `autopilot-k8s/${c}:dev`]),
  ) as ComponentImages;
  const pullPolicy = env.IMAGE_PULL_POLICY || 'IfNotPresent';
  if (!(PULL_POLICIES as readonly string[]).includes(pullPolicy)) {
    throw new Error(`IMAGE_PULL_POLICY must be one of ${PULL_POLICIES.join(', ')}, got "${pullPolicy}"`);
  }
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a TCP port, got "${env.PORT}"`);
  }
  const leaderElect = (env.LEADER_ELECT || 'true').toLowerCase();
  if (leaderElect !== 'true' && leaderElect !== 'false') {
    throw new Error(`LEADER_ELECT must be true or false, got "${env.LEADER_ELECT}"`);
  }
  return {
    images,
    imagePullPolicy: pullPolicy as OperatorConfig['imagePullPolicy'],
    watchNamespace: env.WATCH_NAMESPACE ?? '',
    podNamespace: env.POD_NAMESPACE || 'default',
    podName: env.POD_NAME || `autopilot-operator-${process.pid}`,
    leaderElect: leaderElect === 'true',
    port,
    logLevel: env.LOG_LEVEL || 'info',
  };
}
