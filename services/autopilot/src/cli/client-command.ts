// The client verbs (-ping, -reload, -maintenance, -putenv, -putmetric): one request to the control
// socket. Exit 0 on success; 1, with the server's reason or why the socket is unreachable, on failure.
import { ControlClientError, createControlClient } from '../control/client.ts';
import type { ClientRequest } from './args.ts';

export interface ClientOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export async function runClientCommand(
  request: ClientRequest,
  socket: string,
  io: ClientOutput,
): Promise<number> {
  const client = createControlClient(socket);
  try {
    switch (request.verb) {
      case 'ping':
        await client.ping();
        io.stdout('ok\n');
        break;
      case 'reload':
        await client.reload();
        break;
      case 'maintenance':
        await client.setMaintenance(request.enabled);
        break;
      case 'putenv':
        await client.putEnv(request.values);
        break;
      case 'putmetric':
        await client.putMetric(request.values);
        break;
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ControlClientError)) throw error;
    io.stderr(`autopilot -${request.verb}: ${error.message}\n`);
    return 1;
  }
}
