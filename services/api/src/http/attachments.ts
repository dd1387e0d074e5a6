// Attachment bytes over plain HTTP (issue 14). Authorisation happened in GraphQL: the upload ticket
// (createAttachmentUpload) and the download URL (Attachment.url) are signed, short-lived and carry
// what they allow, so these routes only check signatures, limits and types.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { UploadRefused, type AttachmentService } from '../services/attachments.ts';

const UPLOAD = /^\/attachments\/uploads\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const DOWNLOAD = /^\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

// The ticket in the URL is the credential (no cookies), so any origin may send the PUT.
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'PUT, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra }).end(JSON.stringify(body));
}

/** Reads at most `max` bytes; refuses (before anything is stored) as soon as the body is larger. */
async function readCapped(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw new UploadRefused(413, 'TOO_LARGE', `A file may be at most ${max} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) throw new UploadRefused(413, 'TOO_LARGE', `A file may be at most ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** RFC 6266 filename for any characters (Chinese names too), plus an ASCII fallback. */
function disposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function attachmentRoute(attachments: AttachmentService) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/attachments/')) return false;
    const upload = UPLOAD.exec(url.pathname);
    if (upload) {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS).end();
        return true;
      }
      if (req.method !== 'PUT') {
        json(res, 405, { code: 'METHOD_NOT_ALLOWED', message: 'Upload with PUT' }, { ...CORS, allow: 'PUT, OPTIONS' });
        return true;
      }
      try {
        const claims = attachments.verifyUpload(upload[1]!);
        const bytes = await readCapped(req, attachments.limits.maxBytes);
        const row = await attachments.receive(claims, bytes);
        json(res, 201, { id: encodeGlobalID('AttachmentUpload', row.id), filename: row.filename, mediaType: row.mediaType, size: row.size }, CORS);
      } catch (e) {
        if (!(e instanceof UploadRefused)) throw e;
        // A refused body is not read further: close the connection rather than drain megabytes.
        json(res, e.status, { code: e.code, message: e.message }, { ...CORS, ...(e.status === 413 ? { connection: 'close' } : {}) });
        if (e.status === 413) req.destroy();
      }
      return true;
    }
    const download = DOWNLOAD.exec(url.pathname);
    if (!download || (req.method !== 'GET' && req.method !== 'HEAD')) {
      json(res, 404, { code: 'NOT_FOUND', message: 'No such attachment' });
      return true;
    }
    const q = url.searchParams;
    const check = attachments.verifyDownload(download[1]!, q.get('exp') ?? '', q.get('mode') ?? '', q.get('sig') ?? '');
    if (check !== 'ok') {
      json(res, 403, check === 'expired'
        ? { code: 'URL_EXPIRED', message: 'This link has expired; load the conversation again for a fresh one' }
        : { code: 'INVALID_SIGNATURE', message: 'This link is not valid' });
      return true;
    }
    const mode = q.get('mode');
    const found = await attachments.read(download[1]!, mode === 't');
    if (!found) {
      json(res, 404, { code: 'NOT_FOUND', message: 'No such attachment' });
      return true;
    }
    const { row, bytes } = found;
    const inline = (mode === 'i' || mode === 't') && INLINE_TYPES.has(row.mediaType);
    const maxAge = Math.max(0, Math.floor((Number(q.get('exp')) - Date.now()) / 1000));
    res.writeHead(200, {
      'content-type': row.mediaType,
      'content-length': String(bytes.length),
      'content-disposition': disposition(inline ? 'inline' : 'attachment', row.filename),
      'x-content-type-options': 'nosniff',
      // Whatever the bytes are, nothing in them runs: no scripts, no plugins, no same-origin access.
      'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'cross-origin-resource-policy': 'cross-origin',
      'referrer-policy': 'no-referrer',
      'cache-control': `private, max-age=${maxAge}`,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  };
}
