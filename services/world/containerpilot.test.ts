import { fileURLToPath } from 'node:url';
import { describeDemoServiceConfig } from '../demo-service/src/testing/demo-config-spec.ts';

describeDemoServiceConfig('world', 3002, fileURLToPath(new URL('./containerpilot.json5', import.meta.url)));
