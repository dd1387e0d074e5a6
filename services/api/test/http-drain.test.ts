// The shutdown drain (http/routes.ts) as a client meets it: a response still being prepared when the
// drain starts carries `connection: close`, so the client does not send its next request on a socket
// the shutdown is about to close; requests after the drain get 503; idle() waits for the one in flight.
import { Agent, createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { requestListener } from '../src/http/routes.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function get(port: number): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/slow', agent: new Agent({ keepAlive: true }) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('drain', () => {
  it('tells a response in flight to close its connection, refuses later requests and waits for it', async () => {
    let arrived!: () => void;
    const started = new Promise<void>((r) => (arrived = r));
    let finish!: () => void;
    const released = new Promise<void>((r) => (finish = r));
    const requests = requestListener([async (_req, res) => {
      arrived();
      await released;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('done');
      return true;
    }], async (_req, res) => void res.writeHead(404).end());
    server = createServer(requests.listener);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;

    const inFlight = get(port);
    await started;
    requests.drain();
    let idle = false;
    const whenIdle = requests.idle().then(() => (idle = true));
    expect(await get(port)).toMatchObject({ status: 503, connection: 'close' });
    expect(idle).toBe(false);
    finish();
    expect(await inFlight).toEqual({ status: 200, connection: 'close' });
    await whenIdle;
    expect(idle).toBe(true);
  });
});
