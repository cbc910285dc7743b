// Value access: field lookup for `.Name` (Maps and plain objects are Go maps: own keys, no method
// calls; class instances are Go structs whose function members are methods) and range iteration.
import { goTypeName, isPlain, mapEntries } from './format.ts';

export type Field =
  | { kind: 'value'; value: unknown }
  | { kind: 'method'; method: (...args: unknown[]) => unknown }
  /** Absent map key, or a field of no value (nil receiver). */
  | { kind: 'missing' }
  /** The receiver cannot have fields (a string, number, array...) or a struct lacks it. */
  | { kind: 'none'; type: string };

export function lookupField(receiver: unknown, name: string): Field {
  if (receiver === null || receiver === undefined) return { kind: 'missing' };
  if ((typeof receiver !== 'object' && typeof receiver !== 'function') || Array.isArray(receiver)) {
    return { kind: 'none', type: goTypeName(receiver) };
  }
  if (receiver instanceof Map)
    return receiver.has(name) ? { kind: 'value', value: receiver.get(name) } : { kind: 'missing' };
  if (isPlain(receiver)) {
    return Object.hasOwn(receiver, name)
      ? { kind: 'value', value: (receiver as Record<string, unknown>)[name] }
      : { kind: 'missing' };
  }
  if (!(name in receiver) || name in Object.prototype)
    return { kind: 'none', type: receiver.constructor?.name ?? 'object' };
  const member = (receiver as Record<string, unknown>)[name];
  return typeof member === 'function'
    ? { kind: 'method', method: member as (...args: unknown[]) => unknown }
    : { kind: 'value', value: member };
}

/** [key, element] pairs that `range` visits (maps in sorted key order), or undefined if not iterable. */
export function rangeItems(value: unknown): [unknown, unknown][] | undefined {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (typeof value === 'number' && Number.isInteger(value))
    return Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
  if (value instanceof Set) return [...value].map((v, i) => [i, v]);
  if (typeof value === 'object') return mapEntries(value);
  return undefined;
}
