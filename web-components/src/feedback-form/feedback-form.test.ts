import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONTENT_MAX, categoryLabel, errorText, fieldOf } from './feedback-form.ts';

describe('<cl-feedback-form> logic', () => {
  it('maps API field paths to the form fields', () => {
    expect(fieldOf(['input', 'content'])).toBe('content');
    expect(fieldOf(['input', 'contact', 'email'])).toBe('email');
    expect(fieldOf(['input', 'idempotencyKey'])).toBe('idempotencyKey');
    expect(fieldOf([])).toBe('form');
  });

  it('words known error codes in the page language and falls back to the API message', () => {
    expect(errorText('content', 'TOO_SHORT', 'content must be at least 5 characters')).toBe('请至少填写 5 个字');
    expect(errorText('email', 'INVALID_EMAIL', 'x')).toBe('邮箱格式不正确');
    expect(errorText('consent', 'REQUIRED', '')).toBe('请先勾选同意');
    expect(errorText('category', 'SOMETHING_NEW', 'category is odd')).toBe('category is odd');
  });

  it('labels the default categories and passes custom ones through', () => {
    expect(categoryLabel('loan')).toBe('贷款');
    expect(categoryLabel('信用卡积分')).toBe('信用卡积分');
  });

  it('limits the content like the published API contract does', () => {
    // schema.graphql is what the server prints (CI checks it is current): "5–5000 characters." on content.
    const contract = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');
    const m = /input SubmitFeedbackInput \{[^}]*?"""\d+–(\d+) characters\."""\s*content:/s.exec(contract);
    expect(m, 'SubmitFeedbackInput.content documents its limit').not.toBeNull();
    expect(CONTENT_MAX).toBe(Number(m![1]));
  });
});
