// A scripted stand-in for the blocking queries of ConsulClient, for the watches' unit tests: each query
// waits until the test answers it (or fails it), and honours its AbortSignal like the real client.
import type { Blocking, BlockingOptions, ConsulClient, ServiceEntry } from '../discovery/consul-client.ts';

interface Pending {
  options: BlockingOptions;
  resolve: (answer: Blocking<unknown>) => void;
  reject: (error: Error) => void;
}

export class ScriptedConsul {
  /** Every query's options, in order. */
  readonly queries: BlockingOptions[] = [];
  private pending: Pending | undefined;
  private waiters: Array<() => void> = [];

  private query<T>(options: BlockingOptions = {}): Promise<Blocking<T>> {
    this.queries.push(options);
    return new Promise<Blocking<T>>((resolve, reject) => {
      this.pending = { options, resolve: resolve as (a: Blocking<unknown>) => void, reject };
      options.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Waits for the next query to be in flight, then answers it. */
  async answer(index: bigint, value: unknown): Promise<void> {
    (await this.next()).resolve({ index, value });
  }

  async fail(message: string): Promise<void> {
    (await this.next()).reject(new Error(message));
  }

  /** The options of the query currently in flight, once there is one. */
  async inFlight(): Promise<BlockingOptions> {
    while (!this.pending) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.pending.options;
  }

  private async next(): Promise<Pending> {
    await this.inFlight();
    const pending = this.pending!;
    this.pending = undefined;
    return pending;
  }

  client(): ConsulClient {
    const unused = () => Promise.reject(new Error('not scripted'));
    return {
      address: 'scripted',
      healthService: (_query, options) => this.query(options),
      kvGet: (_key, options) => this.query(options),
      registerService: unused,
      deregisterService: unused,
      updateTtl: unused,
      serviceMaintenance: unused,
      agentService: unused,
      kvPut: unused,
      kvDelete: unused,
      close: () => undefined,
    };
  }
}

export const entry = (id: string, address: string, port: number, tags: string[] = []): ServiceEntry => ({
  Node: { Node: 'node-1', Address: '10.0.0.1' },
  Service: { ID: id, Service: id.replace(/-\w+$/, ''), Address: address, Port: port, Tags: tags, Meta: {} },
  Checks: [],
});
