// Clients for the subscription tests: graphql-ws over real sockets, and Server-Sent Events over fetch.
import WebSocket from 'ws';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';

export interface Received {
  events: any[];
  errors: any[];
  completed: boolean;
}

export const PROGRESS = /* GraphQL */ `
  subscription Progress($code: String!, $key: String, $after: String) {
    feedbackProgress(trackingCode: $code, accessKey: $key, after: $after) { cursor sequence type visibility toStatus body }
  }
`;

export const TICKET_EVENTS = /* GraphQL */ `
  subscription Queue($filter: TicketEventsFilter, $after: String) {
    ticketEvents(filter: $filter, after: $after) { cursor sequence type visibility toStatus body }
  }
`;

export const ADD_NOTE = /* GraphQL */ `
  mutation Note($input: AddTicketNoteInput!) {
    addTicketNote(input: $input) { __typename ... on TicketPayload { events { position } } ... on Error { code message } }
  }
`;

export const TICKET_OF = /* GraphQL */ `
  query TicketOf($code: String!) { trackFeedback(trackingCode: $code) { ticket { id department { id code } } } }
`;

export function wsClient(url: string | (() => string), connectionParams: Record<string, unknown> = {}, options: Partial<ClientOptions> = {}): Client {
  return createClient({ url, webSocketImpl: WebSocket, connectionParams, lazy: true, retryAttempts: 0, ...options });
}

/**
 * Subscribes and collects every `next` payload's data field, errors, and completion. With `resumeWith`,
 * each event's cursor is written into the subscription's variables as `after`: graphql-ws re-sends the
 * same payload object when it re-subscribes after a reconnect, so the stream resumes where it stopped.
 */
export function collect(client: Client, query: string, variables: Record<string, unknown>, field: string, resumeWith?: 'cursor' | 'sequence') {
  const received: Received = { events: [], errors: [], completed: false };
  const payload = { query, variables };
  let settle!: () => void;
  const done = new Promise<void>((r) => (settle = r));
  const dispose = client.subscribe(payload, {
    next(result) {
      if (result.errors) received.errors.push(...result.errors);
      const ev = (result.data as Record<string, any> | null | undefined)?.[field];
      if (ev) {
        received.events.push(ev);
        if (resumeWith) payload.variables.after = ev[resumeWith];
      }
    },
    error(err) {
      received.errors.push(err);
      settle();
    },
    complete() {
      received.completed = true;
      settle();
    },
  });
  return { received, payload, done, dispose };
}

/** One GraphQL-over-SSE subscription through fetch (`accept: text/event-stream`). */
export function sse(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>, field: string) {
  const received: Received = { events: [], errors: [], completed: false };
  const abort = new AbortController();
  let status = 0;
  const done = (async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    status = res.status;
    if (!res.headers.get('content-type')?.includes('text/event-stream')) {
      const body = (await res.json()) as { errors?: any[] };
      received.errors.push(...(body.errors ?? []));
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'complete') {
            received.completed = true;
            return;
          }
          if (event === 'next' && data) {
            const result = JSON.parse(data) as { data?: Record<string, any>; errors?: any[] };
            if (result.errors) received.errors.push(...result.errors);
            const ev = result.data?.[field];
            if (ev) received.events.push(ev);
          }
        }
      }
    } catch (e) {
      if (!abort.signal.aborted) received.errors.push(e);
    }
  })().catch((e) => {
    if (!abort.signal.aborted) received.errors.push(e);
  });
  return { received, done, close: () => abort.abort(), status: () => status };
}

/** Opens a graphql-ws connection by hand and reports how the server closed it. */
export function closeOf(url: string, connectionParams: Record<string, unknown>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
