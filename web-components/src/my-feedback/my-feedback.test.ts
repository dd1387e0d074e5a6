import { describe, expect, it } from 'vitest';
import { LIVE_LIMIT, liveItems } from './my-feedback.ts';

describe('<cl-my-feedback> logic', () => {
  it('follows only open items, newest first, within the connection limit', () => {
    const items = ['CLOSED', 'SUBMITTED', 'RESOLVED', 'IN_PROGRESS', 'CLOSED', 'ACKNOWLEDGED', 'SUBMITTED', 'SUBMITTED'].map((status, i) => ({ i, status }));
    const live = liveItems(items);
    expect(live).toHaveLength(LIVE_LIMIT);
    expect(live.map((x) => x.i)).toEqual([1, 2, 3, 5]);
    expect(liveItems(items, 10).some((x) => x.status === 'CLOSED')).toBe(false);
  });
});
