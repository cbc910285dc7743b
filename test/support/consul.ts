// The real Consul agent for integration tests: one per test file, started in beforeAll and stopped
// in afterAll. The agent itself lives in scripts/local/consul-agent.ts (the local runner uses it too).
import { afterAll, beforeAll } from 'vitest';
import { ConsulAgent, type ConsulAgentOptions } from '../../scripts/local/consul-agent.ts';

export { ConsulAgent, freePort, type ConsulAgentOptions } from '../../scripts/local/consul-agent.ts';

/** One agent for the test file: started in beforeAll, stopped in afterAll. */
export function useConsulAgent(options: ConsulAgentOptions = {}): () => ConsulAgent {
  let agent: ConsulAgent | undefined;
  beforeAll(async () => {
    agent = await ConsulAgent.start(options);
  });
  afterAll(async () => {
    await agent?.stop();
  });
  return () => {
    if (!agent) throw new Error('the Consul agent is not started yet (use it inside tests)');
    return agent;
  };
}
