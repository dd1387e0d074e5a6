import { describe, expect, it } from 'vitest';
import { COMMENT_MAX as API_COMMENT_MAX } from '../../../services/api/src/services/survey.ts';
import { COMMENT_MAX, ratingLabel } from './satisfaction-survey.ts';

describe('<cl-satisfaction-survey> logic', () => {
  it('names each rating for screen readers', () => {
    expect([1, 2, 3, 4, 5].map(ratingLabel)).toEqual(['非常不满意', '不满意', '一般', '满意', '非常满意']);
  });

  it('limits the comment like the API does', () => {
    expect(COMMENT_MAX).toBe(API_COMMENT_MAX);
  });
});
