// Renders a ContainerPilot v3 config file the way autopilot does before parsing it: Go template
// with the environment as data and ContainerPilot's functions, then JSON5.
// TODO(lead): switch to services/autopilot/src/config/load.ts once it exists, to validate too.
import { readFileSync } from 'node:fs';
import JSON5 from 'json5';
import { configFuncs } from '../../../autopilot/src/config/template/config-funcs.ts';
import { render } from '../../../autopilot/src/config/template/template.ts';

export function renderContainerPilotConfig(
  path: string,
  env: Record<string, string>,
): Record<string, unknown> {
  const rendered = render(readFileSync(path, 'utf8'), env, { name: path, funcs: configFuncs(env) });
  return JSON5.parse<Record<string, unknown>>(rendered);
}
