import { TransportError, type Transport } from './stream.ts';

export interface SseOptions {
  url: string;
  headers: () => Promise<Record<string, string>>;
  fetch?: typeof fetch;
}

/**
 * GraphQL over Server-Sent Events, as graphql-yoga serves it (`accept: text/event-stream`, "distinct
 * connections" mode): one POST per subscription, so credentials travel in headers and never in a URL.
 */
export function sseTransport(options: SseOptions): Transport {
  const doFetch = options.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  return {
    name: 'sse',
    subscribe(request, sink, onOpen) {
      const ctrl = new AbortController();
      let over = false;
      const end = (f: () => void) => {
        if (over) return;
        over = true;
        f();
      };
      (async () => {
        const res = await doFetch(options.url, {
          method: 'POST',
          headers: { ...(await options.headers()), 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify(request),
          signal: ctrl.signal,
        });
        if (!res.ok || !res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
          const text = await res.text().catch(() => '');
          const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1];
          throw new TransportError(`Event stream refused (${res.status})`, res.ok ? 400 : res.status, code);
        }
        onOpen();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trimStart();
            }
            if (event === 'complete') return end(() => sink.complete());
            if (data && (event === 'next' || event === 'message')) sink.next(JSON.parse(data));
          }
        }
        // The server went away without saying `complete`: a dropped connection, to be resumed.
        throw new TransportError('Event stream ended unexpectedly');
      })().catch((e) => {
        if (!ctrl.signal.aborted) end(() => sink.error(e));
      });
      return () => {
        over = true;
        ctrl.abort();
      };
    },
  };
}
