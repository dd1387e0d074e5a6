// Uploads never attached to a message are deleted by the sweeper, with their bytes and thumbnails, in
// bounded batches; attached ones and recent ones stay.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import { attachmentBlobs, attachmentUploads } from '@closeloop/db';
import { setup, SUBMIT, type TestEnv } from './helpers.ts';

const JPEG = readFileSync(new URL('./fixtures/photo-1200x900.jpg', import.meta.url));
const UPLOAD = `mutation($input: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $input) { ... on AttachmentUpload { uploadUrl } } }`;
const REPLY = /* GraphQL */ `
  mutation($input: ReplyToFeedbackInput!) {
    replyToFeedback(input: $input) { __typename ... on ValidationError { fieldErrors { path code } } }
  }
`;
const MINUTE = 60_000;

let env: TestEnv;
let base: string;
const channel = () => ({ 'x-closeloop-channel': env.channel.publishableKey });
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

beforeAll(async () => {
  env = await setup({ services: { attachments: { maxBytes: 1 << 20, perMessage: 5, unattachedMinutes: 60 } } });
  base = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await env.app.services.attachments.close();
  await env.close();
});

async function feedback() {
  const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The receipt shows a double charge' } }, channel());
  return { code: s.data.submitFeedback.trackingCode as string, key: s.data.submitFeedback.accessKey as string };
}

async function upload(f: { code: string; key: string }, filename: string): Promise<{ globalId: string; id: string }> {
  const t = await env.gql(UPLOAD, { input: { trackingCode: f.code, accessKey: f.key, filename } }, channel());
  const res = await fetch(base + t.data.createAttachmentUpload.uploadUrl, { method: 'PUT', body: new Uint8Array(JPEG) });
  expect(res.status).toBe(201);
  const globalId = ((await res.json()) as { id: string }).id;
  return { globalId, id: rawId(globalId) };
}

/** Moves uploads' creation back in time, as if they had been uploaded `minutes` ago. */
async function age(ids: string[], minutes: number) {
  await env.handle.db.update(attachmentUploads).set({ createdAt: new Date(Date.now() - minutes * MINUTE) }).where(inArray(attachmentUploads.id, ids));
}

const blobCount = async (ids: string[]) =>
  (await env.handle.db.select({ n: sql<number>`count(*)::int` }).from(attachmentBlobs).where(inArray(attachmentBlobs.id, ids)))[0]!.n;

describe('cleanup of unattached uploads', () => {
  it('deletes stale unattached uploads with their bytes and thumbnails, in bounded batches; keeps attached and recent ones', async () => {
    const f = await feedback();
    const stale = [await upload(f, 's1.jpg'), await upload(f, 's2.jpg'), await upload(f, 's3.jpg')];
    const attached = await upload(f, 'kept.jpg');
    const recent = await upload(f, 'recent.jpg');
    await env.app.services.attachments.thumbnailsSettled();
    const r = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'The receipt', attachments: [attached.globalId] } }, channel());
    expect(r.data.replyToFeedback.__typename).toBe('ReplyToFeedbackPayload');
    await age([...stale.map((u) => u.id), attached.id], 61);
    await age([recent.id], 59);

    const rows = await env.handle.db.select().from(attachmentUploads).where(inArray(attachmentUploads.id, stale.map((u) => u.id)));
    const thumbs = rows.map((u) => u.thumbnailId!);
    expect(thumbs.every(Boolean)).toBe(true);
    const staleBlobs = [...stale.map((u) => u.id), ...thumbs];
    expect(await blobCount(staleBlobs)).toBe(6);

    // Batches of two, one batch per call: two, then the third, then nothing.
    const svc = env.app.services.attachments;
    expect(await svc.deleteUnattached(new Date(), 2, 1)).toBe(2);
    expect(await svc.deleteUnattached(new Date(), 2, 1)).toBe(1);
    expect(await svc.deleteUnattached(new Date(), 2, 1)).toBe(0);
    expect(await env.handle.db.select().from(attachmentUploads).where(inArray(attachmentUploads.id, stale.map((u) => u.id)))).toEqual([]);
    expect(await blobCount(staleBlobs)).toBe(0);
    const left = await env.handle.db.select().from(attachmentUploads).where(inArray(attachmentUploads.id, [attached.id, recent.id]));
    expect(left).toHaveLength(2);
    expect(await blobCount([attached.id, recent.id, ...left.map((u) => u.thumbnailId!)])).toBe(4);

    // A deleted upload cannot be attached any more: a typed error, nothing posted.
    const late = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Here it is', attachments: [stale[0]!.globalId] } }, channel());
    expect(late.data.replyToFeedback).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'attachments', '0'], code: 'INVALID_ATTACHMENT' }] });
  });

  it("the app's SLA sweep runs the cleanup and counts it", async () => {
    const f = await feedback();
    const u = await upload(f, 'swept.jpg');
    await env.app.services.attachments.thumbnailsSettled();
    const sweeper = env.app.services.sweeper;
    expect((await sweeper.sweepOnce()).uploadsDeleted).toBe(0);
    await age([u.id], 61);
    expect((await sweeper.sweepOnce()).uploadsDeleted).toBe(1);
    expect(await env.handle.db.select().from(attachmentUploads).where(inArray(attachmentUploads.id, [u.id]))).toEqual([]);
    expect(await blobCount([u.id])).toBe(0);
  });
});
