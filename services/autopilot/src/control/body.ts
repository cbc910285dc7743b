// Reading and checking control request bodies. Everything wrong with a body is a ControlInputError
// (HTTP 400) whose message tells the client exactly what to fix.
import type { IncomingMessage } from 'node:http';
import { ControlInputError } from './errors.ts';

/** Control payloads are a handful of keys; anything bigger is a mistake (or abuse). */
export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ControlInputError(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ControlInputError('request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ControlInputError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlInputError('request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * /v3/environ body: names to string values. null (or "") clears a variable, as ContainerPilot's docs
 * say; the App receives "" for it.
 */
export function parseEnvValues(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw new ControlInputError(`"${name}" is not a valid environment variable name`);
    }
    if (value === null) values[name] = '';
    else if (typeof value === 'string') values[name] = value;
    else throw new ControlInputError(`value of environment variable "${name}" must be a string or null`);
  }
  return values;
}

/**
 * /v3/metric body: names to numbers. Numeric strings are accepted too, because ContainerPilot's own
 * client (a `containerpilot -putmetric` in another container) sends every value as a string.
 */
export function parseMetricValues(body: Record<string, unknown>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(body)) {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw new ControlInputError(
        `value of metric "${name}" must be a finite number, got ${JSON.stringify(value)}`,
      );
    }
    values[name] = number;
  }
  return values;
}
