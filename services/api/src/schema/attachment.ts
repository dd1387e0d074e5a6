import { ATTACHMENT_MEDIA_TYPES } from '@closeloop/domain';
import { builder } from './builder.ts';
import { assertCanWriteTicket, canReadFeedback, canSeeInternal } from './access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from './errors.ts';
import { inputId } from './ids.ts';
import { TimelineEventRef } from './timeline.ts';
import { tickets } from '@closeloop/db';
import { eq } from 'drizzle-orm';
import { uploaderScope } from '../services/tickets.ts';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

export const AttachmentRef = builder.drizzleNode('attachments', {
  name: 'Attachment',
  description: 'A file on a timeline event (a customer message, a staff reply or note). Visible exactly as its event is.',
  id: { column: (a) => a.id },
  select: {
    columns: { id: true, filename: true, mediaType: true, size: true, createdAt: true },
    with: {
      event: {
        columns: { visibility: true },
        with: { feedback: { columns: { id: true, customerId: true }, with: { ticket: { columns: { departmentId: true, assigneeId: true } } } } },
      },
    },
  },
  // The event's rule: INTERNAL ones for the handling side only, and only on feedback the caller may read.
  authScopes: (a, ctx) =>
    (a.event.visibility === 'PUBLIC' || canSeeInternal(ctx.viewer)) && canReadFeedback(ctx.viewer, ctx.grants, a.event.feedback),
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
    urlExpiresAt: t.field({ type: 'DateTime', resolve: (a, _args, ctx) => ctx.services.attachments.signedPath(a.id, false).expiresAt }),
  }),
});

builder.drizzleObjectField(TimelineEventRef, 'attachments', (t) =>
  t.relation('attachments', { description: 'Files on this event.', query: { orderBy: { createdAt: 'asc' } } }),
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
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], directResult: true, union: { name: 'CreateAttachmentUploadResult' } },
    args: { input: t.arg({ type: CreateAttachmentUploadInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
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
        owner = { ticketId: f.ticketId, feedbackId: f.id, scope: `feedback:${f.id}` };
      }
      const issued = svc.issueUpload(owner, input.filename);
      return { uploadUrl: issued.url, uploadId: issued.uploadId, expiresAt: issued.expiresAt, maxBytes: svc.limits.maxBytes };
    },
  }),
}));
