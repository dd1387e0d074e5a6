// Facts about a live event's feedback that the realtime hub attaches to the rows it reads (the same
// facts its stream filters use), so the schema's event rule (schema/visibility.ts) needs no query.
import type { FeedbackFacts } from './access.ts';

export const EVENT_FACTS = Symbol('closeloop.eventFacts');

export function attachEventFacts(row: object, facts: FeedbackFacts): void {
  Object.defineProperty(row, EVENT_FACTS, { value: facts, enumerable: false, configurable: true });
}
