import { describe, expect, it } from 'vitest';
import {
  LIMITS, codePointLength, defaultDisplayName, validateFeedbackDraft, validateMessage, validateNote, validateReason, type FeedbackDraft,
} from './validation.ts';

const ok: FeedbackDraft = {
  kind: 'COMPLAINT',
  content: 'ATM 吞卡了，请尽快处理',
  category: 'ATM',
  tags: ['atm', '吞卡'],
  contact: { name: '张三', phone: '+86 138-0013-8000', email: 'zhang@example.com' },
  channel: 'APP',
};
const codes = (draft: FeedbackDraft) => validateFeedbackDraft(draft).map((e) => `${e.path.join('.')}:${e.code}`);

describe('validateFeedbackDraft', () => {
  it('accepts a complete draft and a minimal one', () => {
    expect(validateFeedbackDraft(ok)).toEqual([]);
    expect(validateFeedbackDraft({ kind: 'PRAISE', content: '非常满意的服务' })).toEqual([]);
    expect(validateFeedbackDraft({ ...ok, contact: { phone: '', email: '' }, category: null, tags: null, channel: null })).toEqual([]);
  });

  it.each([
    [{ kind: 'RANT' }, ['input.kind:INVALID_ENUM']],
    [{ content: '  hi  ' }, ['input.content:TOO_SHORT']],
    [{ content: '好'.repeat(LIMITS.contentMax + 1) }, ['input.content:TOO_LONG']],
    [{ category: '  ' }, ['input.category:INVALID']],
    [{ category: 'x'.repeat(LIMITS.categoryMax + 1) }, ['input.category:INVALID']],
    [{ tags: Array.from({ length: LIMITS.tagsMax + 1 }, (_, i) => `t${i}`) }, ['input.tags:TOO_MANY']],
    [{ tags: ['ok', ' ', 'y'.repeat(LIMITS.tagMax + 1)] }, ['input.tags.1:INVALID', 'input.tags.2:INVALID']],
    [{ contact: { name: 'n'.repeat(LIMITS.nameMax + 1) } }, ['input.contact.name:TOO_LONG']],
    [{ contact: { phone: 'call me' } }, ['input.contact.phone:INVALID_PHONE']],
    [{ contact: { email: 'not-an-email' } }, ['input.contact.email:INVALID_EMAIL']],
    [{ channel: 'FAX' }, ['input.channel:INVALID_ENUM']],
  ] as const)('%j → %j', (over, expected) => {
    expect(codes({ ...ok, ...(over as Partial<FeedbackDraft>) })).toEqual(expected);
  });

  it('counts code points, so emoji and Chinese count once', () => {
    expect(codes({ ...ok, content: '😀😀😀😀😀' })).toEqual([]);
    expect(codes({ ...ok, content: '😀😀😀😀' })).toEqual(['input.content:TOO_SHORT']);
    expect(codes({ ...ok, content: '好'.repeat(LIMITS.contentMax) })).toEqual([]);
  });

  it('reports every problem at once, under the given base path', () => {
    const errors = validateFeedbackDraft({ kind: 'X', content: '', channel: 'FAX' }, ['input', 'feedback']);
    expect(errors.map((e) => e.path.join('.'))).toEqual(['input.feedback.kind', 'input.feedback.content', 'input.feedback.channel']);
    for (const e of errors) expect(e.message).toBeTruthy();
  });
});

describe('validateNote', () => {
  it('requires a non-blank body within the limit', () => {
    expect(validateNote('已联系客户')).toEqual([]);
    expect(validateNote('   ')).toEqual([{ path: ['input', 'body'], code: 'REQUIRED', message: 'the note must not be empty' }]);
    expect(validateNote('x'.repeat(LIMITS.noteMax + 1), ['body'])[0]).toMatchObject({ path: ['body'], code: 'TOO_LONG' });
    expect(validateNote('x'.repeat(LIMITS.noteMax))).toEqual([]);
  });
});

describe('customer messages (issue 14)', () => {
  it('counts code points: an emoji or a Chinese character is one', () => {
    expect(codePointLength('😀客服a')).toBe(4);
    expect(validateMessage('😀'.repeat(LIMITS.messageMax), 0, 5)).toEqual([]);
    expect(validateMessage('😀'.repeat(LIMITS.messageMax + 1), 0, 5)).toMatchObject([{ path: ['input', 'body'], code: 'TOO_LONG' }]);
  });

  it('needs text or a file, and at most the configured number of files', () => {
    expect(validateMessage('  ', 0, 5)).toMatchObject([{ path: ['input', 'body'], code: 'REQUIRED' }]);
    expect(validateMessage('', 1, 5)).toEqual([]);
    expect(validateMessage('hi', 6, 5)).toMatchObject([{ path: ['input', 'attachments'], code: 'TOO_MANY' }]);
    expect(validateReason('x'.repeat(LIMITS.reasonMax + 1))).toMatchObject([{ code: 'TOO_LONG' }]);
    expect(validateReason(null)).toEqual([]);
  });

  it('gives every staff member a stable default display name that never contains their id', () => {
    const id = '0b57d0aa-1111-4222-8333-444455556666';
    expect(defaultDisplayName(id)).toBe(defaultDisplayName(id));
    expect(defaultDisplayName(id)).toMatch(/^客服 \d{4}$/);
    expect(defaultDisplayName(id)).not.toBe(defaultDisplayName('ffffffff-1111-4222-8333-444455556666'));
  });
});
