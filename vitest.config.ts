import { defineConfig } from 'vitest/config';

// unit: fast, fakes allowed. integration: real Consul / nginx / kube-apiserver on loopback.
// e2e: a real cluster (scripts/cluster) and a real browser.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/**/*.test.ts', 'operator/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'services/**/*.integration.test.ts',
            'operator/**/*.integration.test.ts',
            'test/integration/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['test/support/integration-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          // Brings a cluster up when none answers (a cold build takes ~13 min): no hook timeout there.
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
