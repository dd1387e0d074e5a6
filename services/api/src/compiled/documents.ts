// The documents compiled at start: what the widget and the bench send (packages/sdk/src/operations.ts,
// bench/lib/cases.ts), as the server receives them. Adding one: paste its text here and add a case for
// it to test/compiled.test.ts; start-up fails if it does not compile (docs/performance.md).
export const COMPILED_DOCUMENTS: string[] = [
  // The widget's tracker (TrackFeedback with its FeedbackFields and EventFields fragments).
  `query TrackFeedback($trackingCode: String!, $accessKey: String) {
    trackFeedback(trackingCode: $trackingCode, accessKey: $accessKey) { ...FeedbackFields }
  }
  fragment FeedbackFields on Feedback {
    trackingCode kind content status receivedAt expectedResolutionAt
    rating { rating comment createdAt }
    timeline { ...EventFields }
  }
  fragment EventFields on TimelineEvent {
    id cursor position type toStatus body actorType actorName createdAt
  }`,
  // The widget's list of the signed-in customer's own feedback (MyFeedback).
  `query MyFeedback($first: Int!) {
    feedbacks(first: $first) {
      edges { node { trackingCode kind content status receivedAt timeline { cursor } } }
    }
  }`,
  // The bench's staff queue.
  'query Queue($n: Int!) { tickets(first: $n) { edges { node { id status kind priority level receivedAt firstResponseDueAt resolutionDueAt customer { name tier { code } } assignee { name } } } pageInfo { hasNextPage endCursor } } }',
  // The bench's tracking request.
  'query Track($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode status kind expectedResolutionAt timeline { position type toStatus body createdAt } } }',
];
