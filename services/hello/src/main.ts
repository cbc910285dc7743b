// The demo's "hello" service: answers `Hello` on GET / (port 3001 unless PORT says otherwise).
import { runDemoService } from '../../demo-service/src/service.ts';

await runDemoService({ word: 'Hello', port: 3001 });
