// `npm run local`            — the demo on this machine, no Kubernetes: prints the URL, Ctrl-C stops it.
// `npm run local -- scale hello=10 world=6` — from another terminal, like `docker-compose scale`.
// `npm run local -- status`  — what runs.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalApp, SCALABLE_SERVICES, type ScalableService } from './local-app.ts';

const root = path.resolve(import.meta.dirname, '../..');
const stateDir = process.env.LOCAL_STATE_DIR ?? path.join(root, '.cache/local');
const socketPath = path.join(stateDir, 'runner.sock');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: process.env.LOCAL_PORT ?? '8080' } },
});
const [command = 'up', ...rest] = positionals;

function parseScale(args: string[]): Partial<Record<ScalableService, number>> {
  if (args.length === 0) throw new Error('usage: scale hello=N world=M');
  const wanted: Partial<Record<ScalableService, number>> = {};
  for (const arg of args) {
    const match = /^([a-z]+)=(\d+)$/.exec(arg);
    if (!match || !(SCALABLE_SERVICES as readonly string[]).includes(match[1]!)) {
      throw new Error(
        `cannot scale "${arg}": expected ${SCALABLE_SERVICES.map((s) => `${s}=N`).join(' or ')}`,
      );
    }
    wanted[match[1] as ScalableService] = Number(match[2]);
  }
  return wanted;
}

function request(method: string, route: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: route, method, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(text))));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? new Error('the demo is not running: start it with `npm run local`')
          : error,
      ),
    );
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function summary(app: LocalApp): string {
  return app
    .status()
    .map((s) => `${s.service}=${s.instances.filter((i) => i.running).length}`)
    .join(' ');
}

async function up(): Promise<void> {
  const consulBinary = execFileSync('bash', [path.join(root, 'scripts/build-consul.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const app = new LocalApp({
    root,
    stateDir,
    consulBinary,
    port: Number(values.port),
    onUnexpectedExit: (instance, exit) => {
      const last = instance.lastError.split('\n').slice(-5).join('\n');
      console.error(`${instance.id} exited by itself (${exit.code ?? exit.signal}); the others run on.`);
      if (last) console.error(last);
      console.error(`full log: ${instance.logFile}`);
    },
  });
  console.log('starting consul, nginx, hello and world, each under autopilot...');
  await app.start();

  rmSync(socketPath, { force: true });
  const control = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const reply = (code: number, payload: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      };
      if (req.method === 'GET' && req.url === '/status') return reply(200, app.status());
      if (req.method === 'POST' && req.url === '/scale') {
        let wanted: Partial<Record<ScalableService, number>>;
        try {
          wanted = JSON.parse(body) as Partial<Record<ScalableService, number>>;
        } catch {
          return reply(400, { error: 'body must be JSON like {"hello": 3}' });
        }
        app
          .scale(wanted)
          .then(() => {
            console.log(`scaled: ${summary(app)}`);
            reply(200, app.status());
          })
          .catch((error: Error) => reply(400, { error: error.message }));
        return;
      }
      reply(404, { error: `no route ${req.method} ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => control.listen(socketPath, resolve));

  console.log(`\nHello World is up: open ${app.url}`);
  console.log(`Consul UI/API: http://${app.consulAddress}/ui/   logs: ${path.join(stateDir, 'logs')}`);
  console.log('Scale from another terminal:  npm run local -- scale hello=10 world=6');
  console.log('Ctrl-C stops everything (each instance deregisters first).\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping every instance gracefully...`);
    control.close();
    await app.stop();
    rmSync(socketPath, { force: true });
    console.log('stopped: every instance deregistered, no process left.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(): Promise<void> {
  switch (command) {
    case 'up':
      return up();
    case 'scale':
      console.log(
        JSON.parse(await request('POST', '/scale', parseScale(rest)))
          .map((s: { service: string; instances: unknown[] }) => `${s.service}=${s.instances.length}`)
          .join(' '),
      );
      return;
    case 'status':
      console.log(await request('GET', '/status'));
      return;
    default:
      throw new Error(`unknown command "${command}": use up (default), scale hello=N world=M, or status`);
  }
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
