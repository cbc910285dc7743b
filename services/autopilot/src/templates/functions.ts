// consul-template's vocabulary for rendered files, on top of ContainerPilot's config functions:
// `service "name"` (healthy instances, consul-template field names), `key`, `keyOrDefault`.
import { configFuncs } from '../config/template/config-funcs.ts';
import type { FuncMap } from '../config/template/template.ts';
import { TemplateFuncError } from '../config/template/errors.ts';
import type { Instance } from '../discovery/types.ts';

/** What a template reads; the renderer records each name so it re-renders when that data changes. */
export interface TemplateData {
  /** Healthy instances; undefined while the service is not watched yet. */
  instances(service: string): Instance[] | undefined;
  keyValue(key: string): string | undefined;
}

/** An instance as consul-template exposes it: `.ID .Name .Address .Port .Tags .Meta .Node`. */
export interface TemplateInstance {
  ID: string;
  Name: string;
  Address: string;
  Port: number;
  Tags: string[];
  Meta: Record<string, string>;
  Node: string;
}

export interface Dependencies {
  services: Set<string>;
  keys: Set<string>;
}

const toTemplateInstance = (i: Instance): TemplateInstance => ({
  ID: i.id,
  Name: i.service,
  Address: i.address,
  Port: i.port,
  Tags: i.tags,
  Meta: i.meta,
  Node: i.node,
});

const name = (fn: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '') throw new TemplateFuncError(`${fn}: expects a name`);
  return value;
};

export function templateFuncs(data: TemplateData, env: NodeJS.ProcessEnv, used: Dependencies): FuncMap {
  return {
    ...configFuncs(env),
    service: (service: unknown): TemplateInstance[] => {
      const wanted = name('service', service);
      used.services.add(wanted);
      return (data.instances(wanted) ?? []).map(toTemplateInstance);
    },
    key: (key: unknown): string => {
      const wanted = name('key', key);
      used.keys.add(wanted);
      return data.keyValue(wanted) ?? '';
    },
    keyOrDefault: (key: unknown, fallback: unknown): string => {
      const wanted = name('keyOrDefault', key);
      used.keys.add(wanted);
      return data.keyValue(wanted) ?? String(fallback);
    },
  };
}
