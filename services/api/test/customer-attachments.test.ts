// Attachments (issue 14): upload tickets and PUT over real HTTP, magic-byte typing, limits, who may fetch what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { print } from 'graphql';
import { attachmentUploads } from '@closeloop/db';
import { operations } from '@closeloop/sdk';
import { bearer, setup, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';
import { collect, wsClient } from './realtime-helpers.ts';

// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const MAX = 4096;

const UPLOAD = /* GraphQL */ `
  mutation Up($input: CreateAttachmentUploadInput!) {
    createAttachmentUpload(input: $input) {
      __typename
      ... on AttachmentUpload { uploadUrl expiresAt maxBytes acceptedTypes }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;
const REPLY = /* GraphQL */ `
  mutation Reply($input: ReplyToFeedbackInput!) {
    replyToFeedback(input: $input) {
      __typename
      ... on ReplyToFeedbackPayload { feedback { status } event { attachments { id filename mediaType size url inlineUrl } } }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;
const NOTE = /* GraphQL */ `
  mutation Note($input: AddTicketNoteInput!) {
    addTicketNote(input: $input) {
      __typename
      ... on TicketPayload { events { type attachments { id filename url } } }
      ... on Error { code message }
    }
  }
`;
const TRACK = /* GraphQL */ `
  query Track($code: String!, $key: String) {
    trackFeedback(trackingCode: $code, accessKey: $key) { timeline { type visibility attachments { id filename url } } }
  }
`;

let env: TestEnv;
let base: string;
let agent: { token: string; id: string };
const channel = () => ({ 'x-closeloop-channel': env.channel.publishableKey });

beforeAll(async () => {
  env = await setup({ services: { attachments: { maxBytes: MAX, perMessage: 2 } } });
  agent = await env.staffToken('AGENT');
  base = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}`;
});
afterAll(() => env.close());

async function submitAnonymous() {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'I was charged twice' } }, channel());
  const p = r.data.submitFeedback;
  const t = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: p.trackingCode }, bearer(agent.token));
  return { code: p.trackingCode as string, key: p.accessKey as string, ticketId: t.data.trackFeedback.ticket.id as string };
}

async function put(input: Record<string, unknown>, bytes: Buffer, headers: Record<string, string> = channel()) {
  const ticket = await env.gql(UPLOAD, { input }, headers);
  const res = await fetch(base + ticket.data.createAttachmentUpload.uploadUrl, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': 'image/png' } });
  return { status: res.status, body: (await res.json()) as any };
}

describe('attachments', () => {
  it('a customer attaches a photo to a message; staff and the customer can fetch it with the signed URL', async () => {
    const f = await submitAnonymous();
    const up = await put({ trackingCode: f.code, accessKey: f.key, filename: '收据.png', size: PNG.length }, PNG);
    expect(up).toMatchObject({ status: 201, body: { mediaType: 'image/png', size: PNG.length, filename: '收据.png' } });
    const r = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Here is the receipt', attachments: [up.body.id] } }, channel());
    const [att] = r.data.replyToFeedback.event.attachments;
    expect(att).toMatchObject({ filename: '收据.png', mediaType: 'image/png', size: PNG.length });
    const res = await fetch(base + att.inlineUrl);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; .*filename\*=UTF-8''%E6%94%B6%E6%8D%AE\.png/);
    const download = await fetch(base + att.url);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);

    // Staff see the photo through the API.
    const staffView = await env.gql(TRACK, { code: f.code }, bearer(agent.token));
    const ev = staffView.data.trackFeedback.timeline.find((e: { type: string }) => e.type === 'CUSTOMER_MESSAGE');
    expect(ev.attachments[0].filename).toBe('收据.png');
    const staffFetch = await fetch(base + ev.attachments[0].url);
    expect(staffFetch.status).toBe(200);

    // An upload is used once.
    const reuse = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Again', attachments: [up.body.id] } }, channel());
    expect(reuse.data.replyToFeedback).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'attachments', '0'], code: 'INVALID_ATTACHMENT' }] });
  });

  it('after the one reopening, a photo message opens a new linked feedback that carries the photo', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED' } }, bearer(agent.token));
    await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Not fixed yet' } }, channel());
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED' } }, bearer(agent.token));
    const up = await put({ trackingCode: f.code, accessKey: f.key, filename: 'again.png' }, PNG);
    const short = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'no', attachments: [up.body.id] } }, channel());
    expect(short.data.replyToFeedback).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'body'], code: 'TOO_SHORT' }] });
    const r = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, attachments: [up.body.id] } }, channel());
    expect(r.data.replyToFeedback.__typename).toBe('ReplyToFeedbackPayload');
    expect(r.data.replyToFeedback.event.attachments.map((a: { filename: string }) => a.filename)).toEqual(['again.png']);
  });

  it("the widget's tracking query stays a constant, small number of statements with attachments", async () => {
    const f = await submitAnonymous();
    const up = await put({ trackingCode: f.code, accessKey: f.key, filename: 'one.png' }, PNG);
    await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'With a file', attachments: [up.body.id] } }, channel());
    for (let i = 0; i < 5; i++) await env.gql(NOTE, { input: { ticketId: f.ticketId, body: `update ${i}`, visibility: 'PUBLIC' } }, bearer(agent.token));
    env.queries.length = 0;
    const r = await env.gql(print(operations.TrackFeedback), { trackingCode: f.code, accessKey: f.key }, channel());
    expect(r.errors).toBeUndefined();
    expect(r.data.trackFeedback.timeline.flatMap((e: { attachments: unknown[] }) => e.attachments)).toHaveLength(1);
    // The channel, the feedback with its timeline in one statement, the attachments of all events in one more.
    expect(env.queries.filter((q) => /attachments/.test(q))).toHaveLength(1);
    expect(env.queries.length).toBeLessThanOrEqual(3);
  });

  it('decides the type by the bytes: HTML named .png is refused and nothing is stored', async () => {
    const f = await submitAnonymous();
    const html = Buffer.from('<!doctype html><html><script>alert(1)</script></html>');
    const up = await put({ trackingCode: f.code, accessKey: f.key, filename: 'photo.png' }, html);
    expect(up).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_TYPE' } });
    const rows = await env.handle.db.select().from(attachmentUploads).where(eq(attachmentUploads.filename, 'photo.png'));
    expect(rows).toHaveLength(0);
  });

  it('refuses an oversized file: at ticket time when the size is given, and at PUT before anything is stored', async () => {
    const f = await submitAnonymous();
    const early = await env.gql(UPLOAD, { input: { trackingCode: f.code, accessKey: f.key, filename: 'big.png', size: MAX + 1 } }, channel());
    expect(early.data.createAttachmentUpload).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'size'], code: 'TOO_LARGE' }] });
    const big = Buffer.concat([PNG, Buffer.alloc(MAX)]);
    const up = await put({ trackingCode: f.code, accessKey: f.key, filename: 'big2.png' }, big);
    expect(up).toMatchObject({ status: 413, body: { code: 'TOO_LARGE' } });
    const rows = await env.handle.db.select().from(attachmentUploads).where(eq(attachmentUploads.filename, 'big2.png'));
    expect(rows).toHaveLength(0);
  });

  it('another customer cannot see or fetch the attachment; tampered and expired URLs are refused', async () => {
    const alice = await env.customerToken('alice-att');
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Card fee is wrong' } }, { ...channel(), ...bearer(alice) });
    const code = s.data.submitFeedback.trackingCode;
    const up = await put({ trackingCode: code, filename: 'fee.png' }, PNG, { ...channel(), ...bearer(alice) });
    const r = await env.gql(REPLY, { input: { trackingCode: code, body: 'Screenshot', attachments: [up.body.id] } }, { ...channel(), ...bearer(alice) });
    const att = r.data.replyToFeedback.event.attachments[0];

    const bob = await env.customerToken('bob-att');
    const viaNode = await env.gql(`query($id:ID!){ node(id:$id){ ... on Attachment { url } } }`, { id: att.id }, { ...channel(), ...bearer(bob) });
    expect(viaNode.data?.node ?? null).toBeNull();
    const bobTicket = await env.gql(UPLOAD, { input: { trackingCode: code, filename: 'x.png' } }, { ...channel(), ...bearer(bob) });
    expect(bobTicket.data.createAttachmentUpload.__typename).toBe('NotFoundError');
    const ownNode = await env.gql(`query($id:ID!){ node(id:$id){ ... on Attachment { filename } } }`, { id: att.id }, { ...channel(), ...bearer(alice) });
    expect(ownNode.data.node).toEqual({ filename: 'fee.png' });

    const tampered = att.url.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await fetch(base + tampered)).status).toBe(403);
    const rawId = Buffer.from(att.id, 'base64').toString().split(':')[1];
    const expired = env.app.services.attachments.signedPath(rawId, false, Date.now() - 10 * 60_000).path;
    const res = await fetch(base + expired);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'URL_EXPIRED' });
  });

  it('staff attach to notes; INTERNAL attachments never reach the customer, in trackFeedback or feedbackProgress', async () => {
    const f = await submitAnonymous();
    const internal = await put({ ticketId: f.ticketId, filename: 'internal.png' }, PNG, bearer(agent.token));
    const pub = await put({ ticketId: f.ticketId, filename: 'public.png' }, PNG, bearer(agent.token));
    const n1 = await env.gql(NOTE, { input: { ticketId: f.ticketId, body: 'Core banking log', visibility: 'INTERNAL', attachments: [internal.body.id] } }, bearer(agent.token));
    expect(n1.data.addTicketNote.events[0].attachments[0].filename).toBe('internal.png');
    await env.gql(NOTE, { input: { ticketId: f.ticketId, body: 'Your statement', visibility: 'PUBLIC', attachments: [pub.body.id] } }, bearer(agent.token));
    // A customer's upload ticket cannot be used on a staff note, nor a staff upload on a customer message.
    const cust = await put({ trackingCode: f.code, accessKey: f.key, filename: 'c.png' }, PNG);
    const wrong = await env.gql(NOTE, { input: { ticketId: f.ticketId, body: 'x', visibility: 'PUBLIC', attachments: [cust.body.id] } }, bearer(agent.token));
    expect(wrong.data.addTicketNote.__typename).toBe('ValidationError');

    const track = await env.gql(TRACK, { code: f.code, key: f.key });
    expect(JSON.stringify(track.data)).not.toContain('internal.png');
    expect(JSON.stringify(track.data)).toContain('public.png');
    const internalId = n1.data.addTicketNote.events[0].attachments[0].id;
    const node = await env.gql(`query($id:ID!){ node(id:$id){ ... on Attachment { url } } }`, { id: internalId }, channel());
    expect(node.data?.node ?? null).toBeNull();

    const client = wsClient(base.replace('http', 'ws') + '/graphql', { channelKey: env.channel.publishableKey });
    const sub = collect(client, /* GraphQL */ `
      subscription P($code: String!, $key: String, $after: String) {
        feedbackProgress(trackingCode: $code, accessKey: $key, after: $after) { type body attachments { filename } }
      }`, { code: f.code, key: f.key, after: '0' }, 'feedbackProgress');
    // Replay, then a sentinel after it: once the sentinel arrives everything before it has been delivered.
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED', note: 'sentinel' } }, bearer(agent.token));
    await expect.poll(() => sub.received.events.some((e) => e.body === 'sentinel'), { timeout: 10_000 }).toBe(true);
    expect(sub.received.errors).toEqual([]);
    expect(sub.received.events.some((e) => e.body === 'Your statement' && e.attachments[0].filename === 'public.png')).toBe(true);
    expect(JSON.stringify(sub.received.events)).not.toContain('internal.png');
    expect(JSON.stringify(sub.received.events)).not.toContain('Core banking log');
    sub.dispose();
    await client.dispose();
  });
});
