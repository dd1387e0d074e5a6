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
} as const;

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

function len(s: string): number {
  return [...s].length; // code points, so a Chinese character or emoji counts once
}

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
