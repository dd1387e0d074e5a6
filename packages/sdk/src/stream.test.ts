import { describe, expect, it } from 'vitest';
import { failover, resumable, TransportError, type Sink, type StreamRequest, type StreamResult, type Transport } from './stream.ts';
import { retryPolicy } from './retry.ts';

const fast = retryPolicy({ retries: Infinity, initialDelayMs: 1, maxDelayMs: 2, jitter: 0 });
const tick = () => new Promise((r) => setTimeout(r, 10));
const event = (cursor: number): StreamResult => ({ data: { feedbackProgress: { cursor: String(cursor) } } });

/** A scripted server: records every subscribe request and lets the test push events or drop the line. */
function fakeTransport(name = 'fake') {
  // `sent` is what went out at subscribe time; `request` is the live object the transport keeps.
  const calls: Array<{ request: StreamRequest; sent: StreamRequest; sink: Sink<StreamResult>; open: () => void; drop?: () => void; closed: boolean }> = [];
  const t: Transport = {
    name,
    subscribe(request, sink, open, drop) {
      const call = { request, sent: { ...request, variables: { ...request.variables } }, sink, open, drop, closed: false };
      calls.push(call);
      return () => {
        call.closed = true;
      };
    },
  };
  return { t, calls, last: () => calls.at(-1)! };
}

function collect() {
  const got: string[] = [];
  const statuses: string[] = [];
  let error: unknown;
  let completed = false;
  const sink: Sink<StreamResult> = {
    next: (r) => got.push((r.data?.feedbackProgress?.cursor as string) ?? JSON.stringify(r.errors)),
    error: (e) => (error = e),
    complete: () => (completed = true),
  };
  return { got, statuses, sink, error: () => error, completed: () => completed };
}

describe('resumable', () => {
  it('resumes from the last cursor after a drop and drops replayed duplicates', async () => {
    const f = fakeTransport();
    const c = collect();
    resumable(f.t, { query: 'subscription', variables: { trackingCode: 'FB-1', after: '2' } }, c.sink, { policy: fast, onStatus: (s) => c.statuses.push(s) });
    f.last().open();
    f.last().sink.next(event(3));
    f.last().sink.next(event(4));
    f.last().sink.error(new TransportError('connection reset'));
    await tick();
    expect(f.calls).toHaveLength(2);
    expect(f.calls[0]!.closed).toBe(true);
    expect(f.last().sent.variables).toEqual({ trackingCode: 'FB-1', after: '4' });
    // The server replays from `after`; an overlapping replay must not reach the page twice.
    f.last().open();
    f.last().sink.next(event(4));
    f.last().sink.next(event(5));
    expect(c.got).toEqual(['3', '4', '5']);
    expect(c.statuses).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });

  it('keeps reconnecting through repeated failures with the newest cursor each time', async () => {
    const f = fakeTransport();
    const c = collect();
    resumable(f.t, { query: 's', variables: {} }, c.sink, { policy: fast });
    f.last().sink.error(new Error('offline'));
    await tick();
    f.last().sink.error(new Error('offline'));
    await tick();
    f.last().sink.next(event(1));
    f.last().sink.error(new Error('dropped'));
    await tick();
    expect(f.calls.map((x) => x.sent.variables?.after)).toEqual([undefined, undefined, undefined, '1']);
  });

  it('keeps the cursor current in the request a transport may re-send by itself, and reports its drops', () => {
    const f = fakeTransport();
    const c = collect();
    resumable(f.t, { query: 's', variables: { trackingCode: 'FB-1' } }, c.sink, { policy: fast, onStatus: (s) => c.statuses.push(s) });
    f.last().open();
    f.last().sink.next(event(7));
    expect(f.last().request.variables).toEqual({ trackingCode: 'FB-1', after: '7' });
    f.last().drop!();
    f.last().open();
    expect(c.statuses).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(f.calls).toHaveLength(1);
  });

  it('stops on a fatal refusal and on a GraphQL error, and refreshes an expired token', async () => {
    const f = fakeTransport();
    const c = collect();
    resumable(f.t, { query: 's', variables: {} }, c.sink, { policy: fast });
    f.last().sink.error(new TransportError('forbidden', 403));
    await tick();
    expect(f.calls).toHaveLength(1);
    expect(c.error()).toBeInstanceOf(TransportError);

    const g = fakeTransport();
    const d = collect();
    let expired = 0;
    resumable(g.t, { query: 's', variables: {} }, d.sink, { policy: fast, onExpired: () => expired++ });
    g.last().sink.error({ code: 4401, reason: 'TOKEN_EXPIRED: The token has expired' });
    await tick();
    expect(expired).toBe(1);
    expect(g.calls).toHaveLength(2);
    g.last().sink.next({ errors: [{ message: 'No such feedback', extensions: { code: 'NOT_FOUND' } }] });
    expect(d.completed()).toBe(true);
    expect(d.got).toHaveLength(1);
  });

  it('resumes after a SERVICE_RESTART, SLOW_CONSUMER or SERVICE_UNAVAILABLE result with the last cursor', async () => {
    const f = fakeTransport();
    const c = collect();
    resumable(f.t, { query: 's', variables: {} }, c.sink, { policy: fast });
    for (const code of ['SERVICE_RESTART', 'SLOW_CONSUMER', 'SERVICE_UNAVAILABLE']) {
      f.last().sink.next({ errors: [{ message: 'resume with your last cursor', extensions: { code } }] });
      await tick();
    }
    expect(f.calls).toHaveLength(4);
    expect(c.completed()).toBe(false);
    expect(c.got).toHaveLength(0);
  });

  it('gives up after the policy allows no more retries', async () => {
    const f = fakeTransport();
    const c = collect();
    resumable(f.t, { query: 's' }, c.sink, { policy: retryPolicy({ retries: 2, initialDelayMs: 1, jitter: 0 }) });
    for (let i = 0; i < 3; i++) {
      f.last().sink.error(new Error('down'));
      await tick();
    }
    expect(f.calls).toHaveLength(3);
    expect(c.error()).toBeInstanceOf(TransportError);
  });

  it('unsubscribing stops reconnects', async () => {
    const f = fakeTransport();
    const c = collect();
    const stop = resumable(f.t, { query: 's' }, c.sink, { policy: fast });
    f.last().sink.error(new Error('down'));
    stop();
    await tick();
    expect(f.calls).toHaveLength(1);
  });
});

describe('failover', () => {
  it('switches to the fallback for good when the primary fails before opening', async () => {
    const ws = fakeTransport('ws');
    const sse = fakeTransport('sse');
    const t = failover(ws.t, sse.t);
    const c = collect();
    t.subscribe({ query: 's' }, c.sink, () => {});
    expect(t.active).toBe('ws');
    ws.last().sink.error({ code: 1006, reason: '' });
    expect(t.active).toBe('sse');
    expect(ws.last().closed).toBe(true);
    expect(sse.calls).toHaveLength(1);
    t.subscribe({ query: 's' }, c.sink, () => {});
    expect(ws.calls).toHaveLength(1);
    expect(c.error()).toBeUndefined();
  });

  it('reports errors of a primary that worked, and auth refusals, instead of switching', () => {
    const ws = fakeTransport('ws');
    const sse = fakeTransport('sse');
    const t = failover(ws.t, sse.t);
    const c = collect();
    t.subscribe({ query: 's' }, c.sink, () => {});
    ws.last().open();
    ws.last().sink.error({ code: 1006 });
    expect(c.error()).toEqual({ code: 1006 });
    expect(t.active).toBe('ws');
    const d = collect();
    const t2 = failover(fakeTransport('ws').t, sse.t);
    const ws2 = fakeTransport('ws');
    const t3 = failover(ws2.t, sse.t);
    t3.subscribe({ query: 's' }, d.sink, () => {});
    ws2.last().sink.error({ code: 4403, reason: 'UNKNOWN_CHANNEL: no' });
    expect(t3.active).toBe('ws');
    expect(t2.active).toBe('ws');
  });

  it('gives up on a primary that hangs without opening', async () => {
    const ws = fakeTransport('ws');
    const sse = fakeTransport('sse');
    const t = failover(ws.t, sse.t, { openTimeoutMs: 5 });
    t.subscribe({ query: 's' }, collect().sink, () => {});
    await tick();
    expect(t.active).toBe('sse');
    expect(sse.calls).toHaveLength(1);
  });
});
