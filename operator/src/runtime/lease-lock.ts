// Access to the coordination.k8s.io/v1 Lease that leader election contends for. Writes carry the
// resourceVersion they were based on, so of two replicas racing for the same lease exactly one wins
// (the other gets 409 Conflict) — the whole of leader election's safety rests on that.
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound, kubeRequest } from './kube-http.ts';

/** The lease fields client-go's LeaderElectionRecord maps onto (times are RFC 3339 MicroTime). */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; [field: string]: unknown };
  spec: LeaseSpec;
}

export interface LeaseLock {
  readonly namespace: string;
  readonly name: string;
  /** The lease, or undefined when it does not exist yet. */
  get(): Promise<Lease | undefined>;
  /** Creates the lease; rejects when it already exists. */
  create(spec: LeaseSpec): Promise<Lease>;
  /** Replaces the spec of `current`; rejects with 409 when the lease changed since `current` was read. */
  update(current: Lease, spec: LeaseSpec): Promise<Lease>;
}

export interface KubeLeaseLockOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Bound on each request, so a hung apiserver cannot stall renewal past its deadline. */
  requestTimeoutMs?: number;
}

export class KubeLeaseLock implements LeaseLock {
  readonly namespace: string;
  readonly name: string;
  private readonly kc: KubeConfig;
  private readonly timeoutMs: number;

  constructor(options: KubeLeaseLockOptions) {
    this.kc = options.kubeConfig;
    this.namespace = options.namespace;
    this.name = options.name;
    this.timeoutMs = options.requestTimeoutMs ?? 5_000;
  }

  private get collection(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases`;
  }

  async get(): Promise<Lease | undefined> {
    try {
      return await kubeRequest<Lease>(this.kc, {
        path: `${this.collection}/${encodeURIComponent(this.name)}`,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  create(spec: LeaseSpec): Promise<Lease> {
    return kubeRequest<Lease>(this.kc, {
      method: 'POST',
      path: this.collection,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace: this.namespace },
        spec,
      },
      timeoutMs: this.timeoutMs,
    });
  }

  update(current: Lease, spec: LeaseSpec): Promise<Lease> {
    return kubeRequest<Lease>(this.kc, {
      method: 'PUT',
      path: `${this.collection}/${encodeURIComponent(this.name)}`,
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: current.metadata, spec },
      timeoutMs: this.timeoutMs,
    });
  }
}
