// Compiled replays (src/compiled/replays.ts): the widget's FeedbackProgress replayed over a real WebSocket
// by a server whose database builds each replayed event's payload must deliver exactly what a server
// executing the document per event delivers: same events, same order, same JSON (keys in the same
// order), for every kind of caller, over feedback with drawn texts, staff replies and notes, and files.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedDocuments } from '@closeloop/sdk/trusted-documents';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { collect, waitFor, wsClient } from './realtime-helpers.ts';
import { createApp, type App } from '../src/http/server.ts';

const PROGRESS = trustedDocuments().find((d) => d.body.startsWith('subscription FeedbackProgress'))!.body;
const TRACK = `query($c: String!) { trackFeedback(trackingCode: $c) { timeline { visibility } } }`;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let env: TestEnv;
let reference: App;
const urls: { compiled: string; executed: string } = { compiled: '', executed: '' };
const callers: Record<string, Record<string, unknown>> = {};
const pool: Array<{ code: string; key: string | null; by: string; events: number }> = [];

const text = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('\n', '"', '\\', '\u2028', '</script>', '客服')), { minLength: 3, maxLength: 10 })
  .map((parts) => parts.join(''))
  .filter((s) => s.trim().length >= 5);

beforeAll(async () => {
  env = await setup();
  const port = await env.app.listen(0, '127.0.0.1');
  // The reference: the same database, every request and event executed through the schema.
  reference = createApp({ handle: env.handle, secretKey: env.secretKey, limits: false, compiled: false });
  const refPort = await reference.listen(0, '127.0.0.1');
  urls.compiled = `ws://127.0.0.1:${port}/graphql`;
  urls.executed = `ws://127.0.0.1:${refPort}/graphql`;
  const channelKey = env.channel.publishableKey;
  const supervisor = (await env.staffToken('SUPERVISOR')).token;
  const customer = await env.customerToken('replay-a', { name: 'Alice' });
  Object.assign(callers, {
    anonymous: { channelKey },
    customer: { channelKey, authorization: `Bearer ${customer}` },
    supervisor: { authorization: `Bearer ${supervisor}` },
    agent: { authorization: `Bearer ${(await env.staffToken('AGENT', 'CUSTOMER_SERVICE')).token}` },
    partner: { authorization: `Bearer ${await env.apiKey(['feedback:read'])}` },
  });
  const upload = async (ticketId: string, type: 'png' | 'pdf') => {
    const bytes = type === 'png' ? PNG : PDF;
    const t = await env.gql(`mutation($i: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $i) { ... on AttachmentUpload { uploadUrl } } }`,
      { i: { ticketId, filename: `receipt.${type}`, size: bytes.length } }, bearer(supervisor));
    const res = await fetch(`http://127.0.0.1:${port}${t.data.createAttachmentUpload.uploadUrl}`, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': type === 'png' ? 'image/png' : 'application/pdf' } });
    return ((await res.json()) as { id: string }).id;
  };
  const drafts = fc.sample(fc.record({
    by: fc.constantFrom('anonymous', 'customer'),
    content: text,
    notes: fc.array(fc.record({ body: text, visibility: fc.constantFrom('PUBLIC', 'INTERNAL'), files: fc.subarray(['png', 'pdf']) }), { minLength: 1, maxLength: 4 }),
    resolve: fc.boolean(),
  }), { numRuns: 5, seed: 16 });
  for (const d of drafts) {
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: `ATM 吞卡: ${d.content}` } }, { 'x-closeloop-channel': channelKey, ...(d.by === 'customer' ? { authorization: `Bearer ${customer}` } : {}) });
    expect(s.data?.submitFeedback.__typename, JSON.stringify(s)).toBe('SubmitFeedbackPayload');
    const { trackingCode: code, accessKey: key } = s.data.submitFeedback;
    const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: code }, bearer(supervisor));
    const ticketId = t.data.trackFeedback.ticket.id;
    for (const n of d.notes) {
      const attachments = [];
      for (const f of n.files) attachments.push(await upload(ticketId, f as 'png' | 'pdf'));
      const r = await env.gql(`mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename } }`, { i: { ticketId, body: n.body, visibility: n.visibility, attachments } }, bearer(supervisor));
      expect(r.data.addTicketNote.__typename).toBe('TicketPayload');
    }
    if (d.resolve) {
      for (const status of ['ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED']) {
        await env.gql(`mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { __typename } }`, { i: { ticketId, status, note: status === 'RESOLVED' ? d.content : undefined } }, bearer(supervisor));
      }
    }
    const timeline = (await env.gql(TRACK, { c: code }, bearer(supervisor))).data.trackFeedback.timeline as Array<{ visibility: string }>;
    const events = timeline.filter((e) => e.visibility === 'PUBLIC').length;
    pool.push({ code, key, by: d.by, events });
  }
  await env.app.services.attachments.thumbnailsSettled();
}, 120_000);
afterAll(async () => {
  await reference?.close();
  await env?.close();
});

/** Every `next` payload of a replay from cursor 0, once the replay's known number of events arrived. */
async function replay(url: string, caller: Record<string, unknown>, code: string, key: string | null, events: number) {
  const client = wsClient(url, caller);
  const sub = collect(client, PROGRESS, { trackingCode: code, accessKey: key, after: '0' }, 'feedbackProgress');
  await waitFor(() => sub.received.events.length >= events || sub.received.errors.length > 0, 10_000, `${events} events`);
  sub.dispose();
  await client.dispose();
  // Signed links carry their expiry rounded to the minute: the two servers may sign a minute apart.
  return JSON.stringify(sub.received).replace(/exp=\d+&mode=(\w)&sig=[\w-]+/g, 'exp=…&mode=$1&sig=…');
}

describe('compiled replays', () => {
  it('deliver over WebSocket exactly what executing each event delivers, for every caller', async () => {
    env.queries.length = 0;
    let compared = 0;
    for (const f of pool) {
      for (const [name, caller] of Object.entries(callers)) {
        // With the access key, and without (owners, staff and partners follow it by its code alone).
        for (const key of [f.key, null]) {
          if (key === null && name === 'anonymous') continue;
          const a = await replay(urls.compiled, caller, f.code, key, f.events);
          const b = await replay(urls.executed, caller, f.code, key, f.events);
          expect(a, `${name} ${f.code} ${key ? 'with' : 'without'} key`).toBe(b);
          if (a.includes('"events":[{')) compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(20);
    // The compiled server's replays read the payloads with the rows.
    expect(env.queries.filter((q) => q.includes('"timeline_events"') && q.includes('json_build_object(')).length).toBeGreaterThan(10);
  }, 180_000);

  it('sign links that download', async () => {
    const f = pool.find((p) => p.events > 2)!;
    const client = wsClient(urls.compiled, callers.supervisor!);
    const sub = collect(client, PROGRESS, { trackingCode: f.code, accessKey: null, after: '0' }, 'feedbackProgress');
    await waitFor(() => sub.received.events.length >= f.events, 10_000, 'the replay');
    const url = sub.received.events.flatMap((e) => e.attachments).map((a: { url: string }) => a.url)[0];
    sub.dispose();
    await client.dispose();
    expect(url).toMatch(/^\/attachments\//);
    const res = await fetch(urls.compiled.replace('ws://', 'http://').replace('/graphql', '') + url);
    expect(res.status).toBe(200);
  });
});
