// Thumbnails of image attachments: made off the request's path by a worker thread, stored beside the
// original, served through the same signed, short-lived URLs and only to those who may see the event.
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { attachmentUploads } from '@closeloop/db';
import { declaredSize, Thumbnailer, ThumbnailSkipped } from '../src/services/thumbnails.ts';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const JPEG = fixture('photo-1200x900.jpg');
const PNG_ALPHA = fixture('alpha-640x480.png');
const WEBP = fixture('wide-1000x250.webp');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
// An ISO-BMFF header with the HEIC brand: accepted as image/heic, but nothing here decodes HEVC.
const HEIC = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(4), Buffer.from('mif1heic'), Buffer.alloc(64)]);

/** A valid PNG header declaring width × height with no pixel data: a decompression bomb's shape. */
function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

const UPLOAD = `mutation($input: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $input) { ... on AttachmentUpload { uploadUrl } ... on Error { code } } }`;
const REPLY = /* GraphQL */ `
  mutation($input: ReplyToFeedbackInput!) {
    replyToFeedback(input: $input) { __typename ... on ReplyToFeedbackPayload { event { attachments { id filename mediaType url inlineUrl thumbnailUrl } } } }
  }
`;
const TRACK = `query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { timeline { attachments { id filename thumbnailUrl } } } }`;

let env: TestEnv;
let base: string;
let agent: string;
const channel = () => ({ 'x-closeloop-channel': env.channel.publishableKey });

beforeAll(async () => {
  env = await setup({ services: { attachments: { maxBytes: 1 << 20, perMessage: 5, thumbnailMaxPixels: 4_000_000 } } });
  agent = (await env.staffToken('AGENT')).token;
  base = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await env.app.services.attachments.close();
  await env.close();
});

async function feedbackWith(files: Array<[string, Buffer]>, headers: Record<string, string> = channel()) {
  const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The receipt shows a double charge' } }, headers);
  const { trackingCode: code, accessKey: key } = s.data.submitFeedback;
  const ids: string[] = [];
  for (const [filename, bytes] of files) {
    const t = await env.gql(UPLOAD, { input: { trackingCode: code, accessKey: key, filename } }, headers);
    const res = await fetch(base + t.data.createAttachmentUpload.uploadUrl, { method: 'PUT', body: new Uint8Array(bytes) });
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { id: string }).id);
  }
  // The PUT was answered before the thumbnails exist; wait for the worker rather than for a fixed time.
  await env.app.services.attachments.thumbnailsSettled();
  const r = await env.gql(REPLY, { input: { trackingCode: code, accessKey: key, body: 'Files attached', attachments: ids } }, headers);
  expect(r.data.replyToFeedback.__typename).toBe('ReplyToFeedbackPayload');
  return { code, key, attachments: r.data.replyToFeedback.event.attachments as Array<Record<string, string | null>> };
}

/** Decodes a JPEG with the same codec the worker uses, for checking what the thumbnail shows. */
async function decodeJpeg(bytes: Buffer) {
  const { fileURLToPath } = await import('node:url');
  const dec = await import('@jsquash/jpeg/decode.js');
  await dec.init(new WebAssembly.Module(readFileSync(fileURLToPath(import.meta.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')))));
  return dec.default(new Uint8Array(bytes).buffer);
}

describe('thumbnails', () => {
  it('reads the declared size from JPEG, PNG and WebP headers', () => {
    expect(declaredSize(JPEG, 'image/jpeg')).toEqual({ width: 1200, height: 900 });
    expect(declaredSize(PNG_ALPHA, 'image/png')).toEqual({ width: 640, height: 480 });
    expect(declaredSize(WEBP, 'image/webp')).toEqual({ width: 1000, height: 250 });
    expect(declaredSize(Buffer.from('not an image'), 'image/png')).toBeNull();
  });

  it('JPEG, PNG and WebP get a JPEG thumbnail of at most 320 px, served inline with nosniff; PDF and HEIC get none', async () => {
    const f = await feedbackWith([['收据.jpg', JPEG], ['screen.png', PNG_ALPHA], ['banner.webp', WEBP], ['statement.pdf', PDF], ['photo.heic', HEIC]]);
    const by = (name: string) => f.attachments.find((a) => a.filename === name);
    const [jpg, png, webp, pdf, heic] = ['收据.jpg', 'screen.png', 'banner.webp', 'statement.pdf', 'photo.heic'].map(by);
    expect(pdf).toMatchObject({ mediaType: 'application/pdf', thumbnailUrl: null });
    expect(heic).toMatchObject({ mediaType: 'image/heic', thumbnailUrl: null, inlineUrl: null });
    const sizes: Array<{ width: number; height: number }> = [];
    for (const a of [jpg!, png!, webp!]) {
      expect(a.thumbnailUrl).toMatch(/^\/attachments\/[0-9a-f-]+\?exp=\d+&mode=t&sig=/);
      const res = await fetch(base + a.thumbnailUrl);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
      expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBeLessThan(40_000);
      sizes.push(declaredSize(bytes, 'image/jpeg')!);
    }
    expect(sizes).toEqual([{ width: 320, height: 240 }, { width: 320, height: 240 }, { width: 320, height: 80 }]);
    expect((await fetch(base + jpg!.thumbnailUrl)).headers.get('content-disposition')).toContain("filename*=UTF-8''%E6%94%B6%E6%8D%AE.thumb.jpg");

    // What the PNG thumbnail shows: its transparent top half laid on white, the bottom-left red, the bottom-right blue.
    const img = await decodeJpeg(Buffer.from(await (await fetch(base + png!.thumbnailUrl)).arrayBuffer()));
    const at = (x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)];
    expect(at(40, 40).every((c) => c > 235)).toBe(true);
    expect(at(40, 200)[0]).toBeGreaterThan(180);
    expect(at(40, 200)[2]).toBeLessThan(70);
    expect(at(280, 200)[2]).toBeGreaterThan(180);
  });

  it('a signed URL for the full image does not open the thumbnail, nor the reverse; an expired one is refused', async () => {
    const f = await feedbackWith([['a.jpg', JPEG]]);
    const a = f.attachments[0]!;
    expect((await fetch(base + a.inlineUrl!.replace('mode=i', 'mode=t'))).status).toBe(403);
    expect((await fetch(base + a.thumbnailUrl!.replace('mode=t', 'mode=i'))).status).toBe(403);
    const rawId = Buffer.from(a.id!, 'base64').toString().split(':')[1]!;
    const expired = env.app.services.attachments.signedPath(rawId, 'thumbnail', Date.now() - 10 * 60_000).path;
    const res = await fetch(base + expired);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'URL_EXPIRED' });
  });

  it('another customer gets no thumbnail URL of someone else\'s attachment; staff do', async () => {
    const alice = await env.customerToken('alice-thumb');
    const f = await feedbackWith([['fee.png', PNG_ALPHA]], { ...channel(), ...bearer(alice) });
    const id = f.attachments[0]!.id;
    const bob = await env.customerToken('bob-thumb');
    const asBob = await env.gql(`query($id:ID!){ node(id:$id){ ... on Attachment { thumbnailUrl } } }`, { id }, { ...channel(), ...bearer(bob) });
    expect(asBob.data?.node ?? null).toBeNull();
    const asAlice = await env.gql(`query($id:ID!){ node(id:$id){ ... on Attachment { thumbnailUrl } } }`, { id }, { ...channel(), ...bearer(alice) });
    expect(asAlice.data.node.thumbnailUrl).toMatch(/mode=t/);
    const staff = await env.gql(TRACK, { c: f.code }, bearer(agent));
    const url = staff.data.trackFeedback.timeline.flatMap((e: { attachments: Array<{ thumbnailUrl: string }> }) => e.attachments)[0].thumbnailUrl;
    expect((await fetch(base + url)).status).toBe(200);
  });

  it('an image declaring more pixels than the limit is never decoded: TOO_MANY_PIXELS, and no thumbnail', async () => {
    const bomb = pngDeclaring(30_000, 30_000);
    expect(declaredSize(bomb, 'image/png')).toEqual({ width: 30_000, height: 30_000 });
    const t = new Thumbnailer({ maxPixels: 4_000_000 });
    await expect(t.make(bomb, 'image/png')).rejects.toMatchObject({ code: 'TOO_MANY_PIXELS' });
    await expect(t.make(HEIC, 'image/heic')).rejects.toBeInstanceOf(ThumbnailSkipped);
    // Unreadable bytes that look like a PNG: the worker answers with an error, not a crash, and keeps working.
    const broken = Buffer.concat([pngDeclaring(10, 10).subarray(0, 33), Buffer.from('garbage')]);
    await expect(t.make(broken, 'image/png')).rejects.toMatchObject({ code: 'UNREADABLE' });
    expect((await t.make(JPEG, 'image/jpeg')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await t.close();

    // Bounded: a full queue refuses at once (BUSY); a job over its time ends the worker (TIMEOUT), and the next job gets a fresh one.
    const one = new Thumbnailer({ maxQueue: 1 });
    const first = one.make(JPEG, 'image/jpeg');
    await expect(one.make(JPEG, 'image/jpeg')).rejects.toMatchObject({ code: 'BUSY' });
    expect((await first).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await one.close();
    const slow = new Thumbnailer({ timeoutMs: 1 });
    await expect(slow.make(JPEG, 'image/jpeg')).rejects.toMatchObject({ code: 'TIMEOUT' });
    slow.options.timeoutMs = 30_000;
    expect((await slow.make(PNG_ALPHA, 'image/png')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await slow.close();

    const f = await feedbackWith([['bomb.png', bomb]]);
    expect(f.attachments[0]).toMatchObject({ mediaType: 'image/png', thumbnailUrl: null });
    const [row] = await env.handle.db.select().from(attachmentUploads).where(eq(attachmentUploads.filename, 'bomb.png'));
    expect(row!.thumbnailId).toBeNull();
  });
});
