// The documents compiled at start: what the widget sends (packages/sdk/src/operations.ts, taken from the
// SDK itself), the console's queue and ticket (console/src/documents.ts) and the bench's (bench/lib/cases.ts), as the
// server receives them. Adding one: add its text
// here and a case for it to test/compiled.test.ts; start-up fails if it does not compile (docs/performance.md).
import { trustedDocuments as sdkDocuments } from '@closeloop/sdk/trusted-documents';
import { QUEUE as CONSOLE_QUEUE, TICKET as CONSOLE_TICKET } from '@closeloop/console/documents';
/** The widget's own documents, read from the SDK as the trusted documents are: a change there cannot leave a stale copy here. */
const widget = (name: string) => {
  const found = sdkDocuments().find((d) => new RegExp(`^(query|subscription) ${name}\\b`).test(d.body));
  if (!found) throw new Error(`The SDK no longer sends ${name}: update compiled/documents.ts`);
  return found.body;
};

export const COMPILED_DOCUMENTS: string[] = [
  // The widget's tracker (TrackFeedback with its FeedbackFields and EventFields fragments).
  widget('TrackFeedback'),
  // The widget's list of the signed-in customer's own feedback (MyFeedback).
  widget('MyFeedback'),
  // The console's queue: any order, filter and cursor, with the SLA state and the linked feedback.
  CONSOLE_QUEUE,
  // The console's ticket with its feedback and timeline (the screen reads SLA figures and contacts beside it).
  CONSOLE_TICKET,
  // The bench's staff queue.
  'query Queue($n: Int!) { tickets(first: $n) { edges { node { id status kind priority level receivedAt firstResponseDueAt resolutionDueAt customer { name tier { code } } assignee { name } } } pageInfo { hasNextPage endCursor } } }',
  // The bench's tracking request.
  'query Track($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode status kind expectedResolutionAt timeline { position type toStatus body createdAt } } }',
];

/** Subscriptions whose replayed events the database builds (compiled/replays.ts): the widget's live progress. */
export const COMPILED_REPLAYS: string[] = [widget('FeedbackProgress')];
