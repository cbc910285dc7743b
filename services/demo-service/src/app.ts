// The hello/world demo service: one express app answering a single word, parameterised per service.
// Plain text by default (what the original demo's page expects); a JSON form names the instance that
// answered, so a person scaling the service can watch requests spread over the new instances.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from './logger.ts';
import type { Word } from './options.ts';

/** Shared with the shutdown logic: once draining, readiness fails and connections are not reused. */
export interface Readiness {
  draining: boolean;
}

export interface DemoAnswer {
  message: Word;
  instance: string;
  host: string;
  version: string;
  pid: number;
}

export interface DemoAppOptions {
  word: Word;
  instanceId: string;
  hostname: string;
  version: string;
  logger: Logger;
  readiness: Readiness;
  /** Adds routes ahead of the 404 fallback (used by tests to hold requests open). */
  extend?: (app: Express) => void;
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

export function createDemoApp(options: DemoAppOptions): Express {
  const { word, instanceId, readiness } = options;
  const app = express();
  app.disable('x-powered-by');
  // Every answer is live state; a 304 would hide which instance answered.
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger: options.logger,
      // The default serializers dump every header; a demo's logs should be readable at a glance.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Health checks arrive every few seconds from autopilot and the kubelet: keep them out of info logs.
      customLogLevel: (req, res, error) => {
        if (error || res.statusCode >= 500) return 'error';
        if (HEALTH_PATHS.has(pathOf(req.url))) return 'debug';
        return res.statusCode >= 400 ? 'warn' : 'info';
      },
    }),
  );

  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('X-Instance-Id', instanceId);
    res.set('Cache-Control', 'no-store');
    // A keep-alive connection (nginx keeps some per upstream) must not outlive the drain.
    if (readiness.draining) res.set('Connection', 'close');
    next();
  });

  app.get('/', (req: Request, res: Response) => {
    if (wantsJson(req)) {
      const answer: DemoAnswer = {
        message: word,
        instance: instanceId,
        host: options.hostname,
        version: options.version,
        pid: process.pid,
      };
      res.json(answer);
      return;
    }
    res.type('text/plain').send(word);
  });

  app.get('/healthz', (_req: Request, res: Response) => {
    res.type('text/plain').send('ok\n');
  });

  app.get('/readyz', (_req: Request, res: Response) => {
    if (readiness.draining) {
      res.status(503).type('text/plain').send('draining\n');
      return;
    }
    res.type('text/plain').send('ready\n');
  });

  options.extend?.(app);

  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .type('text/plain')
      .send(`Not found: ${req.method} ${pathOf(req.originalUrl)}\n`);
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    req.log.error({ err: error }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).type('text/plain').send('Internal error\n');
  });

  return app;
}

/** `?format=json` wins; otherwise the Accept header decides, and plain text is preferred on a tie. */
function wantsJson(req: Request): boolean {
  const format = req.query.format;
  if (format === 'json') return true;
  if (format === 'text') return false;
  return req.accepts(['text/plain', 'application/json']) === 'application/json';
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  return path ?? '/';
}
