import { ATTACHMENT_MEDIA_TYPES } from '@closeloop/domain';
import { builder } from './builder.ts';
import { assertCanWriteTicket, canReadEvent } from '../policy/access.ts';
import { ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../policy/errors.ts';
import { inputId } from './ids.ts';
import { TimelineEventRef } from './timeline.ts';
import { attachmentUploads, attachments, feedback, tickets, timelineEvents } from '@closeloop/db';
import { asc, eq, inArray } from 'drizzle-orm';
import { uploaderScope } from '../services/tickets.ts';
import type { AttachmentRow } from '../services/attachments.ts';
import type { Context } from '../context.ts';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

export const AttachmentRef = builder.drizzleNode('attachments', {
  name: 'Attachment',
  description: 'A file on a timeline event (a customer message, a staff reply or note). Visible exactly as its event is.',
  id: { column: (a) => a.id },
  select: {
    columns: { id: true, filename: true, mediaType: true, size: true, createdAt: true },
    with: {
      upload: { columns: { thumbnailId: true } },
      event: {
        columns: { visibility: true },
        with: { feedback: { columns: { id: true, customerId: true }, with: { ticket: { columns: { departmentId: true, assigneeId: true } } } } },
      },
    },
  },
  // The event's rule: INTERNAL ones for the handling side only, and only on feedback the caller may read.
  authScopes: (a, ctx) => canReadEvent(ctx.viewer, ctx.grants, a.event.visibility, a.event.feedback),
  runScopesOnType: true,
  fields: (t) => ({
    filename: t.string({ description: 'As uploaded, without any path; show as text.', resolve: (a) => a.filename }),
    mediaType: t.string({ description: 'Decided from the bytes: image/jpeg, image/png, image/webp, image/heic or application/pdf.', resolve: (a) => a.mediaType }),
    size: t.int({ description: 'Bytes.', resolve: (a) => a.size }),
    createdAt: t.field({ type: 'DateTime', resolve: (a) => a.createdAt }),
    url: t.string({
      description: 'Download link (Content-Disposition: attachment), valid for about 5 minutes; a path on the API origin. Fetch the event again for a fresh one.',
      resolve: (a, _args, ctx) => ctx.services.attachments.signedPath(a.id, false).path,
    }),
    inlineUrl: t.string({
      nullable: true,
      description: 'JPEG, PNG and WebP only: a link that may be shown in an <img>, valid for about 5 minutes.',
      resolve: (a, _args, ctx) => (IMAGE_TYPES.has(a.mediaType) ? ctx.services.attachments.signedPath(a.id, true).path : null),
    }),
    thumbnailUrl: t.string({
      nullable: true,
      description:
        'A small JPEG preview (at most 320 px on its longer side) that may be shown in an <img>, valid for about 5 minutes; ' +
        'null when there is none: not an image, HEIC, an image over the pixel limit, or not made yet (it is made just after the upload).',
      resolve: (a, _args, ctx) => (a.upload.thumbnailId ? ctx.services.attachments.signedPath(a.id, 'thumbnail').path : null),
    }),
    urlExpiresAt: t.field({ type: 'DateTime', resolve: (a, _args, ctx) => ctx.services.attachments.signedPath(a.id, false).expiresAt }),
  }),
});

/**
 * Attachments of the events resolved in one tick, in one statement. A plain field rather than a drizzle
 * relation: a nested relation in `timeline` would take trackFeedback off its one-statement path
 * (fast-track.ts), and most events have no attachments.
 */
class AttachmentBatch {
  private pending = new Map<number, Array<(rows: AttachmentRow[]) => void>>();
  constructor(private readonly ctx: Context) {}

  load(eventId: number): Promise<AttachmentRow[]> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) queueMicrotask(() => this.flush().catch(reject));
      this.pending.set(eventId, [...(this.pending.get(eventId) ?? []), resolve]);
    });
  }

  private async flush() {
    const batch = this.pending;
    this.pending = new Map();
    // With what the Attachment type's own rule reads (its event, feedback and ticket), in the same statement.
    const found = await this.ctx.db
      .select({
        a: attachments, thumbnailId: attachmentUploads.thumbnailId, visibility: timelineEvents.visibility, feedbackId: feedback.id, customerId: feedback.customerId,
        departmentId: tickets.departmentId, assigneeId: tickets.assigneeId,
      })
      .from(attachments)
      .innerJoin(attachmentUploads, eq(attachmentUploads.id, attachments.uploadId))
      .innerJoin(timelineEvents, eq(timelineEvents.id, attachments.eventId))
      .innerJoin(feedback, eq(feedback.id, timelineEvents.feedbackId))
      .innerJoin(tickets, eq(tickets.id, timelineEvents.ticketId))
      .where(inArray(attachments.eventId, [...batch.keys()]))
      .orderBy(asc(attachments.createdAt), asc(attachments.id));
    const rows = found.map((r) => ({
      ...r.a,
      upload: { thumbnailId: r.thumbnailId },
      event: { visibility: r.visibility, feedback: { id: r.feedbackId, customerId: r.customerId, ticket: { departmentId: r.departmentId, assigneeId: r.assigneeId } } },
    }));
    for (const [id, waiters] of batch) for (const w of waiters) w(rows.filter((r) => r.eventId === id));
  }
}
const batches = new WeakMap<Context, AttachmentBatch>();

builder.objectField(TimelineEventRef, 'attachments', (t) =>
  t.field({
    type: [AttachmentRef],
    description: 'Files on this event, visible exactly as the event is.',
    resolve: (e, _args, ctx) => {
      let b = batches.get(ctx);
      if (!b) batches.set(ctx, (b = new AttachmentBatch(ctx)));
      return b.load(Number((e as unknown as { id: number }).id)) as never;
    },
  }),
);

const CreateAttachmentUploadInput = builder.inputType('CreateAttachmentUploadInput', {
  description: 'Customers name their feedback (trackingCode, and accessKey when anonymous); staff and partners name the ticket.',
  fields: (t) => ({
    trackingCode: t.string(),
    accessKey: t.string(),
    ticketId: t.id(),
    filename: t.string({ required: true }),
    size: t.int({ description: 'Bytes, if known: a file over the limit is refused here, before it is sent.' }),
  }),
});

interface UploadTicket { uploadUrl: string; uploadId: string; expiresAt: Date; maxBytes: number }

const AttachmentUploadRef = builder.objectRef<UploadTicket>('AttachmentUpload').implement({
  description:
    'A single-use ticket to upload one file: PUT the bytes to uploadUrl (a path on the API origin) within 10 minutes. ' +
    'The answer is JSON { id, filename, mediaType, size }; pass `id` in a message\'s `attachments`. The type is decided by the bytes ' +
    '(JPEG, PNG, WebP, HEIC, PDF); anything else is refused with 415, a file over maxBytes with 413.',
  fields: (t) => ({
    uploadUrl: t.exposeString('uploadUrl'),
    expiresAt: t.field({ type: 'DateTime', resolve: (u) => u.expiresAt }),
    maxBytes: t.exposeInt('maxBytes'),
    acceptedTypes: t.stringList({ resolve: () => [...ATTACHMENT_MEDIA_TYPES] }),
  }),
});

builder.mutationFields((t) => ({
  createAttachmentUpload: t.field({
    type: AttachmentUploadRef,
    description: 'Asks for an upload ticket for one file of a customer message (replyToFeedback) or a staff reply or note (addTicketNote).',
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, RateLimitedError], directResult: true, union: { name: 'CreateAttachmentUploadResult' } },
    args: { input: t.arg({ type: CreateAttachmentUploadInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      // Uploads by customers count like their messages; an access key counts like any access check.
      if (ctx.viewer.kind === 'ANONYMOUS' || ctx.viewer.kind === 'CUSTOMER') {
        if (input.accessKey && input.trackingCode) await ctx.limits?.accessCheck(ctx.viewer, ctx.clientAddress, input.trackingCode);
        await ctx.limits?.submission(ctx.viewer, ctx.clientAddress);
      }
      const svc = ctx.services.attachments;
      const errors = svc.validateRequest(input.filename, input.size);
      if (errors.length) throw new ValidationError(errors);
      const v = ctx.viewer;
      let owner;
      if (v.kind === 'STAFF' || v.kind === 'PARTNER') {
        if (!input.ticketId) throw new ValidationError([{ path: ['input', 'ticketId'], code: 'REQUIRED', message: 'ticketId is required for staff and partners' }]);
        const ticketId = inputId(String(input.ticketId), 'Ticket', ['input', 'ticketId']);
        const [row] = await ctx.db.select().from(tickets).where(eq(tickets.id, ticketId)).limit(1);
        if (!row) throw new NotFoundError('No such ticket');
        assertCanWriteTicket(v, row);
        owner = { ticketId, feedbackId: null, scope: uploaderScope(v) };
      } else {
        if (!input.trackingCode) throw new ValidationError([{ path: ['input', 'trackingCode'], code: 'REQUIRED', message: 'trackingCode is required' }]);
        const f = await ctx.services.feedback.ownedFeedback(v, input.trackingCode, input.accessKey, 'attach files to it');
        await ctx.services.conversation.checkLimit(v, 'upload');
        owner = { ticketId: f.ticketId, feedbackId: f.id, scope: `feedback:${f.id}` };
      }
      const issued = svc.issueUpload(owner, input.filename);
      return { uploadUrl: issued.url, uploadId: issued.uploadId, expiresAt: issued.expiresAt, maxBytes: svc.limits.maxBytes };
    },
  }),
}));
