import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiError, isConflict, isExpired, isNotFound, kubeRequest, kubeStream } from './kube-http.ts';
import { FakeApiServer, openWatch, sendJson, sendStatus } from './testing/fake-apiserver.ts';

let server: FakeApiServer;
afterEach(() => server.close());

describe('kube-http', () => {
  it('sends the kubeconfig credentials, query and JSON body; returns the JSON answer', async () => {
    server = await FakeApiServer.start((req, res) => sendJson(res, 200, { echoed: req.body }));
    const answer = await kubeRequest(server.kubeConfig(), {
      method: 'POST',
      path: '/api/v1/namespaces/ns/configmaps',
      query: { fieldManager: 'me', dryRun: undefined },
      body: { data: { a: '1' } },
    });
    expect(answer).toEqual({ echoed: { data: { a: '1' } } });
    const [req] = server.requests;
    expect(req!.headers.authorization).toBe('Bearer secret-token');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(Object.fromEntries(req!.query)).toEqual({ fieldManager: 'me' });
  });

  it('turns a Status answer into a KubeApiError with code, reason and message', async () => {
    server = await FakeApiServer.start((req, res) =>
      req.path.endsWith('gone')
        ? sendStatus(res, 410, 'Expired', 'too old resource version')
        : sendStatus(res, 409, 'Conflict', 'the object has been modified'),
    );
    const conflict = await kubeRequest(server.kubeConfig(), { method: 'PUT', path: '/x', body: {} }).catch(
      (e: unknown) => e,
    );
    expect(conflict).toBeInstanceOf(KubeApiError);
    expect((conflict as KubeApiError).message).toBe('PUT /x: HTTP 409: the object has been modified');
    expect([isConflict(conflict), isNotFound(conflict), isExpired(conflict)]).toEqual([true, false, false]);
    const gone = await kubeRequest(server.kubeConfig(), { path: '/gone' }).catch((e: unknown) => e);
    expect(isExpired(gone)).toBe(true);
  });

  it('gives up on a request the server never answers', async () => {
    server = await FakeApiServer.start(() => {});
    await expect(kubeRequest(server.kubeConfig(), { path: '/hang', timeoutMs: 50 })).rejects.toThrow(
      /no answer within 50 ms/,
    );
  });

  it('streams lines as they come, split across chunks, until the server ends the stream', async () => {
    server = await FakeApiServer.start((_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED"}\n{"type":');
      setTimeout(() => res.end('"MODIFIED"}\n\n{"type":"DELETED"}'), 20);
    });
    const lines: string[] = [];
    await kubeStream(server.kubeConfig(), { path: '/w' }, (line) => lines.push(line));
    expect(lines).toEqual(['{"type":"ADDED"}', '{"type":"MODIFIED"}', '{"type":"DELETED"}']);
  });

  it('rejects a stream on abort, on a non-200 answer, and when the line handler throws', async () => {
    server = await FakeApiServer.start((req, res) => {
      if (req.path === '/forbidden') return sendStatus(res, 403, 'Forbidden');
      openWatch(res).send('ADDED', {});
    });
    const kc = server.kubeConfig();
    const abort = new AbortController();
    const aborted = kubeStream(kc, { path: '/w', signal: abort.signal }, () => abort.abort());
    await expect(aborted).rejects.toThrow();
    await expect(kubeStream(kc, { path: '/forbidden' }, () => {})).rejects.toMatchObject({ status: 403 });
    await expect(
      kubeStream(kc, { path: '/w' }, () => {
        throw new Error('bad line');
      }),
    ).rejects.toThrow('bad line');
  });

  it('rejects, not crashes, when the last line before the end is cut off', async () => {
    server = await FakeApiServer.start((_req, res) => {
      res.writeHead(200);
      res.end('{"type":"ADDED"}\n{"type":"MODIF');
    });
    const parse = (line: string) => void JSON.parse(line);
    await expect(kubeStream(server.kubeConfig(), { path: '/w' }, parse)).rejects.toThrow(SyntaxError);
  });
});
