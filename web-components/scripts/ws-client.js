// The graphql-ws client as the SDK uses it (packages/sdk/src/ws.ts), for the browser script only: the
// graphql-transport-ws protocol without the library's message validation, retry loop and options the
// SDK switches off (about 3 KB gzipped less). The SDK's own package keeps graphql-ws. What it keeps of
// graphql-ws's behaviour with the SDK's options (lazy, retryAttempts: 0, keepAlive, lazyCloseTimeout):
// - connects on the first subscription, sends connection_init with connectionParams(), and sends the
//   subscriptions once connection_ack arrives (on.connected then);
// - a close with code 1000 while subscriptions are active reconnects and subscribes them again with the
//   same payload objects (the SDK updates their cursor in place); any other close, or a close before the
//   acknowledgement, ends every active subscription with the close event as its error (the SDK's
//   resumable() reconnects and reads the code and reason); on.closed is told either way;
// - answers pings, pings every keepAlive ms, and closes 1000 lazyCloseTimeout ms after the last
//   subscription ends.
export function createClient(options) {
  const subs = new Map(); // id → { payload, sink, sent }
  let socket;
  let acked = false;
  let nextId = 0;
  let idle;
  let ping;

  const send = (message) => socket.send(JSON.stringify(message));
  const subscribeAll = () => {
    for (const [id, s] of subs) if (!s.sent) (s.sent = true), send({ id, type: 'subscribe', payload: s.payload });
  };

  function connect() {
    acked = false;
    const WS = options.webSocketImpl || WebSocket;
    const ws = (socket = new WS(options.url, 'graphql-transport-ws'));
    ws.onopen = async () => {
      try {
        const payload = await options.connectionParams?.();
        if (socket === ws) send({ type: 'connection_init', payload });
      } catch {
        ws.close(4400, 'connectionParams failed');
      }
    };
    ws.onmessage = ({ data }) => {
      let m;
      try {
        m = JSON.parse(data);
      } catch {
        return ws.close(4400, 'Invalid message received');
      }
      if (m.type === 'connection_ack') {
        acked = true;
        if (options.keepAlive > 0) ping = setInterval(() => send({ type: 'ping' }), options.keepAlive);
        options.on?.connected?.(ws, m.payload);
        subscribeAll();
      } else if (m.type === 'ping') send({ type: 'pong' });
      else {
        const s = subs.get(m.id);
        if (!s) return;
        if (m.type === 'next') s.sink.next(m.payload);
        else if (m.type === 'error') subs.delete(m.id), s.sink.error(m.payload);
        else if (m.type === 'complete') subs.delete(m.id), s.sink.complete();
      }
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      clearInterval(ping);
      options.on?.closed?.(event);
      for (const s of subs.values()) s.sent = false;
      if (event.code === 1000 && acked && subs.size) return connect();
      const ended = [...subs.values()];
      subs.clear();
      for (const s of ended) s.sink.error(event);
    };
  }

  return {
    subscribe(payload, sink) {
      const id = String(++nextId);
      subs.set(id, { payload, sink, sent: false });
      clearTimeout(idle);
      if (!socket) connect();
      else if (acked) subscribeAll();
      return () => {
        const s = subs.get(id);
        if (!s) return;
        subs.delete(id);
        if (s.sent && acked && socket) send({ id, type: 'complete' });
        if (!subs.size && socket) {
          const ws = socket;
          idle = setTimeout(() => socket === ws && !subs.size && ws.close(1000, 'Normal Closure'), options.lazyCloseTimeout || 0);
        }
      };
    },
    dispose() {
      clearTimeout(idle);
      const ws = socket;
      socket = undefined;
      clearInterval(ping);
      subs.clear();
      ws?.close(1000, 'Normal Closure');
    },
  };
}
