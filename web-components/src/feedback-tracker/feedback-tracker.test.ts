import { describe, expect, it } from 'vitest';
import { eventTitle, mergeEvent, stepIndex, STEPS } from './feedback-tracker.ts';

describe('<cl-feedback-tracker> logic', () => {
  it('places every status on the stepper, AWAITING_CUSTOMER on IN_PROGRESS', () => {
    expect(STEPS.map(stepIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(stepIndex('AWAITING_CUSTOMER')).toBe(2);
  });

  it('merges live events into the timeline once and in order', () => {
    const a = { id: 'a', position: 1 };
    const b = { id: 'b', position: 2 };
    const c = { id: 'c', position: 3 };
    expect(mergeEvent([a, b], c)).toEqual([a, b, c]);
    expect(mergeEvent([a, c], b)).toEqual([a, b, c]);
    const same = [a, b];
    expect(mergeEvent(same, { id: 'b', position: 2 })).toBe(same); // replayed after a reconnect: no change
  });

  it('titles events for the customer', () => {
    expect(eventTitle({ type: 'STATUS_CHANGED', toStatus: 'RESOLVED', actorName: null })).toBe('状态更新为「已解决」');
    expect(eventTitle({ type: 'PUBLIC_REPLY', toStatus: null, actorName: '王芳' })).toBe('客服回复');
  });
});
