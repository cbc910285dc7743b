// The demo's "world" service: answers `World` on GET / (port 3002 unless PORT says otherwise).
import { runDemoService } from '../../demo-service/src/service.ts';

await runDemoService({ word: 'World', port: 3002 });
