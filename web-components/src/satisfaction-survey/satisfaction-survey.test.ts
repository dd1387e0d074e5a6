import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { COMMENT_MAX, ratingLabel } from './satisfaction-survey.ts';

describe('<cl-satisfaction-survey> logic', () => {
  it('names each rating for screen readers', () => {
    expect([1, 2, 3, 4, 5].map(ratingLabel)).toEqual(['非常不满意', '不满意', '一般', '满意', '非常满意']);
  });

  it('limits the comment like the published API contract does', () => {
    // schema.graphql is what the server prints (CI checks it is current): "At most 1000 characters." on comment.
    const contract = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');
    const m = /input RateFeedbackInput \{[^}]*?"""At most (\d+) characters\."""\s*comment:/s.exec(contract);
    expect(m, 'RateFeedbackInput.comment documents its limit').not.toBeNull();
    expect(COMMENT_MAX).toBe(Number(m![1]));
  });
});
