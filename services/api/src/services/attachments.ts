// Attachments (issue 14): short-lived upload tickets, files typed by their magic bytes, a small storage
// interface (PostgreSQL by default), linking uploads to timeline events, and short-lived signed download URLs.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { attachmentBlobs, attachmentUploads, attachments, type Database, type Tx } from '@closeloop/db';
import { ATTACHMENT_DEFAULTS, ATTACHMENT_MEDIA_TYPES, codePointLength, type FieldError } from '@closeloop/domain';
import { deriveKey } from '../auth/keys.ts';
import { ValidationError } from '../policy/errors.ts';
import type { TimelineRow } from './events.ts';
import { log } from '../log.ts';
import { THUMBNAIL_MEDIA_TYPE, THUMBNAIL_SOURCES, ThumbnailSkipped, Thumbnailer } from './thumbnails.ts';

export type UploadRow = typeof attachmentUploads.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;

/** Where the bytes live. PostgreSQL by default (backups and transactions keep files and events consistent); an object store can implement it later. */
export interface AttachmentStore {
  /** Stores the bytes inside the caller's transaction, so an upload row never exists without them. */
  put(tx: Tx, id: string, bytes: Buffer): Promise<void>;
  get(db: Database, id: string): Promise<Buffer | null>;
  /** Removes the bytes of these ids inside the caller's transaction (unknown ids are ignored). */
  delete(tx: Tx, ids: readonly string[]): Promise<void>;
}

export const postgresAttachmentStore: AttachmentStore = {
  async put(tx, id, bytes) {
    await tx.insert(attachmentBlobs).values({ id, content: bytes });
  },
  async get(db, id) {
    const [row] = await db.select({ content: attachmentBlobs.content }).from(attachmentBlobs).where(eq(attachmentBlobs.id, id)).limit(1);
    return row ? Buffer.from(row.content) : null;
  },
  async delete(tx, ids) {
    if (ids.length) await tx.delete(attachmentBlobs).where(inArray(attachmentBlobs.id, [...ids]));
  },
};

export interface AttachmentLimits {
  /** Largest file accepted (bytes). */
  maxBytes: number;
  /** Attachments one message may carry. */
  perMessage: number;
  /** An upload not attached to a message within this many minutes is deleted by the sweeper (default 1440). */
  unattachedMinutes?: number;
  /** Images declaring more pixels get no thumbnail (default THUMBNAIL_DEFAULTS.maxPixels); 0: no thumbnails at all. */
  thumbnailMaxPixels?: number;
}

/** Uploads the sweeper deletes per transaction, and transactions per sweep at most. */
export const CLEANUP_BATCH = 100;
export const CLEANUP_BATCHES_PER_SWEEP = 10;

/** Who an upload is issued to; posting a message checks the same owner. */
export interface UploadOwner {
  ticketId: string;
  /** Set for the customer side: the upload belongs to that feedback only. */
  feedbackId: string | null;
  /** `feedback:<id>`, `staff:<id>` or `partner:<id>`. */
  scope: string;
}

interface UploadClaims extends UploadOwner {
  id: string;
  filename: string;
  exp: number;
}

export const UPLOAD_TICKET_TTL_MS = 10 * 60_000;
export const DOWNLOAD_URL_TTL_MS = 5 * 60_000;
const FILENAME_MAX = 200;

/** Refusals of the upload route, with the HTTP status and a stable code. */
export class UploadRefused extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const sign = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url');
function sameSig(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A name that is safe in a header and on a disk: no path, no control characters, bounded. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a file name must lose
  const clean = base.replace(/[\u0000-\u001f\u007f"<>]/g, '').trim();
  return [...clean].slice(0, FILENAME_MAX).join('') || 'file';
}

type Mode = 'a' | 'i' | 't';

export class AttachmentService {
  private readonly uploadKey: Buffer;
  private readonly downloadKey: Buffer;
  private readonly thumbnailer: Thumbnailer | null;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    secretKey: Buffer,
    readonly limits: AttachmentLimits = ATTACHMENT_DEFAULTS,
    private readonly store: AttachmentStore = postgresAttachmentStore,
  ) {
    this.uploadKey = deriveKey(secretKey, 'attachment-upload');
    this.downloadKey = deriveKey(secretKey, 'attachment-download');
    this.thumbnailer = limits.thumbnailMaxPixels === 0 ? null : new Thumbnailer(limits.thumbnailMaxPixels ? { maxPixels: limits.thumbnailMaxPixels } : {});
  }

  validateRequest(filename: string, size: number | null | undefined): FieldError[] {
    const errors: FieldError[] = [];
    if (filename.trim() === '' || codePointLength(filename) > FILENAME_MAX) {
      errors.push({ path: ['input', 'filename'], code: 'INVALID', message: `filename must be 1–${FILENAME_MAX} characters` });
    }
    if (size != null && (!Number.isInteger(size) || size <= 0 || size > this.limits.maxBytes)) {
      errors.push({ path: ['input', 'size'], code: 'TOO_LARGE', message: `a file must be 1 byte to ${this.limits.maxBytes} bytes` });
    }
    return errors;
  }

  /** A single-use, short-lived ticket to PUT one file (the upload id is fixed in it). */
  issueUpload(owner: UploadOwner, filename: string, now = Date.now()): { url: string; uploadId: string; expiresAt: Date } {
    const claims: UploadClaims = { ...owner, id: randomUUID(), filename: cleanFilename(filename), exp: now + UPLOAD_TICKET_TTL_MS };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { url: `/attachments/uploads/${body}.${sign(this.uploadKey, body)}`, uploadId: claims.id, expiresAt: new Date(claims.exp) };
  }

  verifyUpload(token: string, now = Date.now()): UploadClaims {
    const [body, sig] = token.split('.');
    if (!body || !sig || !sameSig(sig, sign(this.uploadKey, body))) throw new UploadRefused(403, 'INVALID_TICKET', 'This upload link is not valid');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as UploadClaims;
    if (claims.exp < now) throw new UploadRefused(403, 'TICKET_EXPIRED', 'This upload link has expired; ask for a new one');
    return claims;
  }

  /**
   * Stores one uploaded file. The type comes from the bytes (magic numbers), never from the name or the
   * request's content type. A repeated PUT of the same bytes (a retry) returns the stored upload.
   */
  async receive(claims: UploadClaims, bytes: Buffer): Promise<UploadRow> {
    if (bytes.length === 0) throw new UploadRefused(400, 'EMPTY', 'The file is empty');
    if (bytes.length > this.limits.maxBytes) throw new UploadRefused(413, 'TOO_LARGE', `A file may be at most ${this.limits.maxBytes} bytes`);
    const detected = await fileTypeFromBuffer(bytes);
    const mediaType = detected?.mime;
    if (!mediaType || !(ATTACHMENT_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      throw new UploadRefused(415, 'UNSUPPORTED_TYPE', 'Only JPEG, PNG, WebP, HEIC images and PDF documents are accepted');
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const [prior] = await this.db.select().from(attachmentUploads).where(eq(attachmentUploads.id, claims.id)).limit(1);
    if (prior) {
      if (prior.sha256 === sha256) return prior;
      throw new UploadRefused(409, 'ALREADY_USED', 'This upload link was already used for another file');
    }
    const stored = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(attachmentUploads)
        .values({
          id: claims.id, ticketId: claims.ticketId, feedbackId: claims.feedbackId, uploaderScope: claims.scope,
          filename: claims.filename, mediaType, size: bytes.length, sha256,
        })
        .returning();
      await this.store.put(tx, claims.id, bytes);
      return row!;
    });
    // After the commit and off the request's path: the PUT is answered while the thumbnail is made.
    if (this.thumbnailer && THUMBNAIL_SOURCES.has(mediaType)) this.track(this.makeThumbnail(stored.id, bytes, mediaType));
    return stored;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every thumbnail started so far is stored or skipped (tests, shutdown). */
  async thumbnailsSettled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.thumbnailer?.close();
    await this.thumbnailsSettled();
  }

  /** Makes and stores one thumbnail; any failure only means no thumbnail (logged). */
  private async makeThumbnail(uploadId: string, bytes: Buffer, mediaType: string): Promise<void> {
    try {
      const thumb = await this.thumbnailer!.make(bytes, mediaType);
      const thumbnailId = randomUUID();
      await this.db.transaction(async (tx) => {
        // The upload may have been deleted meanwhile (the sweeper): then the thumbnail is not stored either.
        const [u] = await tx.select({ thumbnailId: attachmentUploads.thumbnailId }).from(attachmentUploads).where(eq(attachmentUploads.id, uploadId)).for('update');
        if (!u || u.thumbnailId) return;
        await this.store.put(tx, thumbnailId, thumb);
        await tx.update(attachmentUploads).set({ thumbnailId }).where(eq(attachmentUploads.id, uploadId));
      });
    } catch (e) {
      if (e instanceof ThumbnailSkipped) log.info({ uploadId, reason: e.code }, 'no thumbnail for this image');
      else log.warn({ err: e, uploadId }, 'storing a thumbnail failed');
    }
  }

  /**
   * Deletes uploads (and their bytes and thumbnails) that were never attached to a message within
   * `unattachedMinutes`, in short transactions of CLEANUP_BATCH, at most CLEANUP_BATCHES_PER_SWEEP per call.
   * Rows are claimed with SKIP LOCKED: an upload being attached right now (locked by `link`) is left alone.
   */
  async deleteUnattached(now = new Date(), batch = CLEANUP_BATCH, batches = CLEANUP_BATCHES_PER_SWEEP): Promise<number> {
    const cutoff = new Date(now.getTime() - (this.limits.unattachedMinutes ?? 1440) * 60_000);
    let total = 0;
    for (let i = 0; i < batches; i++) {
      const n = await this.db.transaction(async (tx) => {
        const rows = await tx
          .select({ id: attachmentUploads.id, thumbnailId: attachmentUploads.thumbnailId })
          .from(attachmentUploads)
          .where(and(isNull(attachmentUploads.usedAt), lt(attachmentUploads.createdAt, cutoff)))
          .orderBy(asc(attachmentUploads.createdAt))
          .limit(batch)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        await this.store.delete(tx, [...ids, ...rows.flatMap((r) => (r.thumbnailId ? [r.thumbnailId] : []))]);
        await tx.delete(attachmentUploads).where(inArray(attachmentUploads.id, ids));
        return rows.length;
      });
      total += n;
      if (n < batch) break;
    }
    return total;
  }

  /**
   * Turns the uploads into attachments of `events` (one row per event, so each is visible exactly as its
   * event is). Every upload must have been issued to `owner` and not used before; otherwise nothing changes.
   */
  async link(tx: Tx, uploadIds: readonly string[], owner: UploadOwner, events: readonly TimelineRow[], path: string[] = ['input', 'attachments']): Promise<AttachmentRow[]> {
    if (uploadIds.length === 0) return [];
    const unique = [...new Set(uploadIds)];
    const rows = await tx
      .select()
      .from(attachmentUploads)
      .where(and(inArray(attachmentUploads.id, unique), isNull(attachmentUploads.usedAt)))
      .for('update');
    const byId = this.usable(rows, unique, owner, path);
    await tx.update(attachmentUploads).set({ usedAt: new Date() }).where(inArray(attachmentUploads.id, unique));
    const values = events.flatMap((e) =>
      unique.map((id) => {
        const u = byId.get(id)!;
        return { eventId: Number(e.id), uploadId: u.id, filename: u.filename, mediaType: u.mediaType, size: u.size };
      }),
    );
    return tx.insert(attachments).values(values).returning();
  }

  /** Checks, without changing anything, that `link` would accept these uploads now. */
  async check(uploadIds: readonly string[], owner: UploadOwner, path: string[] = ['input', 'attachments']): Promise<void> {
    if (uploadIds.length === 0) return;
    const unique = [...new Set(uploadIds)];
    const rows = await this.db.select().from(attachmentUploads).where(and(inArray(attachmentUploads.id, unique), isNull(attachmentUploads.usedAt)));
    this.usable(rows, unique, owner, path);
  }

  /** The unused uploads issued to `owner`, by id; a ValidationError naming each one that is not. */
  private usable(rows: UploadRow[], ids: string[], owner: UploadOwner, path: string[]): Map<string, UploadRow> {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const errors: FieldError[] = [];
    ids.forEach((id, i) => {
      const r = byId.get(id);
      if (!r || r.ticketId !== owner.ticketId || r.uploaderScope !== owner.scope || (owner.feedbackId !== null && r.feedbackId !== owner.feedbackId)) {
        errors.push({ path: [...path, String(i)], code: 'INVALID_ATTACHMENT', message: 'This attachment was not uploaded for this message or was already used' });
      }
    });
    if (errors.length) throw new ValidationError(errors);
    return byId;
  }

  /**
   * A download path valid for DOWNLOAD_URL_TTL_MS; only minted for a caller allowed to see the event.
   * `inline` true: may be shown in an <img>; 'thumbnail': the thumbnail (inline, JPEG).
   */
  signedPath(attachmentId: string, inline: boolean | 'thumbnail', now = Date.now()): { path: string; expiresAt: Date } {
    // Rounded up to the minute so that one page's URLs are stable for caching.
    const exp = Math.ceil((now + DOWNLOAD_URL_TTL_MS) / 60_000) * 60_000;
    const mode: Mode = inline === 'thumbnail' ? 't' : inline ? 'i' : 'a';
    const sig = sign(this.downloadKey, `${attachmentId}.${exp}.${mode}`);
    return { path: `/attachments/${attachmentId}?exp=${exp}&mode=${mode}&sig=${sig}`, expiresAt: new Date(exp) };
  }

  verifyDownload(attachmentId: string, exp: string, mode: string, sig: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    if (!/^\d{10,15}$/.test(exp) || (mode !== 'i' && mode !== 'a' && mode !== 't')) return 'invalid';
    if (!sameSig(sig, sign(this.downloadKey, `${attachmentId}.${exp}.${mode}`))) return 'invalid';
    return Number(exp) < now ? 'expired' : 'ok';
  }

  /** The file, or with `thumbnail` its thumbnail (then typed image/jpeg, named `<name>.thumb.jpg`). */
  async read(attachmentId: string, thumbnail = false): Promise<{ row: AttachmentRow; bytes: Buffer } | null> {
    const [found] = await this.db
      .select({ row: attachments, thumbnailId: attachmentUploads.thumbnailId })
      .from(attachments)
      .innerJoin(attachmentUploads, eq(attachmentUploads.id, attachments.uploadId))
      .where(eq(attachments.id, attachmentId))
      .limit(1);
    if (!found) return null;
    if (thumbnail) {
      if (!found.thumbnailId) return null;
      const bytes = await this.store.get(this.db, found.thumbnailId);
      const name = `${found.row.filename.replace(/\.[^.]*$/, '')}.thumb.jpg`;
      return bytes ? { row: { ...found.row, mediaType: THUMBNAIL_MEDIA_TYPE, filename: name, size: bytes.length }, bytes } : null;
    }
    const bytes = await this.store.get(this.db, found.row.uploadId);
    return bytes ? { row: found.row, bytes } : null;
  }
}
