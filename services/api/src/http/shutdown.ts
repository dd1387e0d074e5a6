import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { WebSocketServer } from 'ws';
import type { RealtimeHub } from '../realtime/hub.ts';
import { RESTART_CLOSE } from './websocket.ts';

export interface Running {
  server: Server;
  wss: WebSocketServer;
  realtime: RealtimeHub;
  requests: { drain(): void; idle(): Promise<void> };
}

/**
 * Graceful stop (App.close): new requests get 503 and new connections are refused at once, WebSockets
 * close with 1012 and SSE streams end with SERVICE_RESTART, requests in flight finish within `graceMs`
 * (those still open then are cut). Resolves with whether every request in flight finished.
 */
export async function gracefulClose({ server, wss, realtime, requests }: Running, graceMs: number): Promise<boolean> {
  // Readiness and every new request answer 503 from now on; the listener closes (new connections are
  // refused), so a load balancer drains this instance.
  requests.drain();
  // net's close, not http's: http's also drops idle keep-alive connections, and a client sending its
  // next request on one at that moment would see a reset; this way that request gets the 503.
  const closed = new Promise<void>((r) => NetServer.prototype.close.call(server, () => r()));
  // Tell every WebSocket client to reconnect (to another instance, or to this one once it is back) and
  // resume; SSE streams end with SERVICE_RESTART (realtime.stop).
  const sockets = [...wss.clients];
  const socketsClosed = Promise.all(sockets.map((c) => new Promise<void>((r) => (c.readyState === c.CLOSED ? r() : c.once('close', () => r())))));
  for (const client of sockets) client.close(RESTART_CLOSE.code, RESTART_CLOSE.reason);
  wss.on('connection', (socket) => socket.close(RESTART_CLOSE.code, RESTART_CLOSE.reason));
  await realtime.stop();
  // Requests in flight (and their transactions) finish and clients take their close frames, within
  // the grace period.
  const requestsDone = requests.idle();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.all([requestsDone, socketsClosed]).then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(r, graceMs, false))),
  ]);
  clearTimeout(timer);
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  server.closeAllConnections?.();
  await closed;
  return drained;
}
