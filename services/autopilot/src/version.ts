// The version autopilot reports (-version, /status). Kept in step with package.json by release tooling.
export const AUTOPILOT_VERSION = '0.1.0';
/** The ContainerPilot release whose config and CLI autopilot is a drop-in for. */
export const COMPATIBLE_CONTAINERPILOT = '3.8.0';
