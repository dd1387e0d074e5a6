import { CHANNELS, FEEDBACK_KINDS, type Channel, type FeedbackKind } from './enums.ts';

export interface FieldError {
  path: string[];
  message: string;
  code: string;
}

export const LIMITS = {
  contentMin: 5,
  contentMax: 5000,
  categoryMax: 64,
  tagMax: 32,
  tagsMax: 10,
  nameMax: 100,
  phoneMax: 32,
  emailMax: 254,
  noteMax: 5000,
  /** A customer message (replyToFeedback), counted in code points like every limit here. */
  messageMax: 5000,
  /** Reasons given with a withdrawal or a review request. */
  reasonMax: 1000,
} as const;

/** Attachments (issue 14): the types decided by magic bytes, and the defaults of the configurable limits. */
export const ATTACHMENT_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'] as const;
export type AttachmentMediaType = (typeof ATTACHMENT_MEDIA_TYPES)[number];
export const ATTACHMENT_DEFAULTS = { maxBytes: 10 * 1024 * 1024, perMessage: 5 } as const;

export interface FeedbackDraft {
  kind: string;
  content: string;
  category?: string | null;
  tags?: readonly string[] | null;
  contact?: { name?: string | null; phone?: string | null; email?: string | null } | null;
  channel?: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 \-()]{4,30}$/;

/** Length in code points, so a Chinese character or an emoji counts once; the widget counts the same way. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
const len = codePointLength;

/** Pure validation of a submission; returns every problem at once with its field path. */
export function validateFeedbackDraft(draft: FeedbackDraft, base: string[] = ['input']): FieldError[] {
  const errors: FieldError[] = [];
  const at = (...p: string[]) => [...base, ...p];
  if (!FEEDBACK_KINDS.includes(draft.kind as FeedbackKind)) {
    errors.push({ path: at('kind'), code: 'INVALID_ENUM', message: `kind must be one of ${FEEDBACK_KINDS.join(', ')}` });
  }
  const content = draft.content?.trim() ?? '';
  if (len(content) < LIMITS.contentMin) {
    errors.push({ path: at('content'), code: 'TOO_SHORT', message: `content must be at least ${LIMITS.contentMin} characters` });
  } else if (len(content) > LIMITS.contentMax) {
    errors.push({ path: at('content'), code: 'TOO_LONG', message: `content must be at most ${LIMITS.contentMax} characters` });
  }
  if (draft.category != null && (draft.category.trim() === '' || len(draft.category) > LIMITS.categoryMax)) {
    errors.push({ path: at('category'), code: 'INVALID', message: `category must be 1–${LIMITS.categoryMax} characters` });
  }
  if (draft.tags) {
    if (draft.tags.length > LIMITS.tagsMax) {
      errors.push({ path: at('tags'), code: 'TOO_MANY', message: `at most ${LIMITS.tagsMax} tags` });
    }
    draft.tags.forEach((t, i) => {
      if (t.trim() === '' || len(t) > LIMITS.tagMax) {
        errors.push({ path: at('tags', String(i)), code: 'INVALID', message: `a tag must be 1–${LIMITS.tagMax} characters` });
      }
    });
  }
  const c = draft.contact;
  if (c) {
    if (c.name != null && len(c.name) > LIMITS.nameMax) {
      errors.push({ path: at('contact', 'name'), code: 'TOO_LONG', message: `name must be at most ${LIMITS.nameMax} characters` });
    }
    if (c.phone != null && c.phone !== '' && (!PHONE.test(c.phone) || c.phone.length > LIMITS.phoneMax)) {
      errors.push({ path: at('contact', 'phone'), code: 'INVALID_PHONE', message: 'phone is not a valid phone number' });
    }
    if (c.email != null && c.email !== '' && (!EMAIL.test(c.email) || c.email.length > LIMITS.emailMax)) {
      errors.push({ path: at('contact', 'email'), code: 'INVALID_EMAIL', message: 'email is not a valid address' });
    }
  }
  if (draft.channel != null && !CHANNELS.includes(draft.channel as Channel)) {
    errors.push({ path: at('channel'), code: 'INVALID_ENUM', message: `channel must be one of ${CHANNELS.join(', ')}` });
  }
  return errors;
}

export function validateNote(body: string, base: string[] = ['input', 'body']): FieldError[] {
  const b = body.trim();
  if (b === '') return [{ path: base, code: 'REQUIRED', message: 'the note must not be empty' }];
  if (len(b) > LIMITS.noteMax) return [{ path: base, code: 'TOO_LONG', message: `the note must be at most ${LIMITS.noteMax} characters` }];
  return [];
}

/** A customer message: text, or attachments alone; never empty, never over LIMITS.messageMax. */
export function validateMessage(body: string, attachmentCount: number, maxAttachments: number, base: string[] = ['input']): FieldError[] {
  const errors: FieldError[] = [];
  const b = body.trim();
  if (b === '' && attachmentCount === 0) errors.push({ path: [...base, 'body'], code: 'REQUIRED', message: 'write a message or attach a file' });
  if (len(b) > LIMITS.messageMax) errors.push({ path: [...base, 'body'], code: 'TOO_LONG', message: `the message must be at most ${LIMITS.messageMax} characters` });
  if (attachmentCount > maxAttachments) errors.push({ path: [...base, 'attachments'], code: 'TOO_MANY', message: `at most ${maxAttachments} attachments per message` });
  return errors;
}

/** An optional reason (withdrawal, review request). */
export function validateReason(reason: string | null | undefined, path: string[] = ['input', 'reason']): FieldError[] {
  if (reason != null && len(reason.trim()) > LIMITS.reasonMax) return [{ path, code: 'TOO_LONG', message: `the reason must be at most ${LIMITS.reasonMax} characters` }];
  return [];
}

/**
 * What customers see of a staff member without a configured display name: "客服 " and four digits derived
 * from the staff id, so the same person always shows the same number and the internal name never leaks.
 */
export function defaultDisplayName(staffId: string): string {
  const hex = staffId.replace(/[^0-9a-f]/gi, '').slice(0, 8) || '0';
  return `客服 ${1000 + (parseInt(hex, 16) % 9000)}`;
}
