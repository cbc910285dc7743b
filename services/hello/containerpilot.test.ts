import { fileURLToPath } from 'node:url';
import { describeDemoServiceConfig } from '../demo-service/src/testing/demo-config-spec.ts';

describeDemoServiceConfig('hello', 3001, fileURLToPath(new URL('./containerpilot.json5', import.meta.url)));
