import { graphql } from './graphql.ts';

/** The public, customer-side operations the components use. Partner systems may write their own. */

export const EventFields = graphql(`
  fragment EventFields on TimelineEvent @_unmask {
    id cursor position type toStatus body actorType actorName createdAt
    attachments { id filename mediaType size url inlineUrl thumbnailUrl }
  }
`);

export const FeedbackFields = graphql(
  `
  fragment FeedbackFields on Feedback @_unmask {
    trackingCode kind content status receivedAt expectedResolutionAt canReply reviewableUntil outcome
    rating { rating comment createdAt }
    timeline { ...EventFields }
  }
`,
  [EventFields],
);

export const SubmitFeedback = graphql(`
  mutation SubmitFeedback($input: SubmitFeedbackInput!) {
    submitFeedback(input: $input) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on SubmitFeedbackPayload { trackingCode accessKey replayed feedback { id status } }
    }
  }
`);

export const TrackFeedback = graphql(
  `
  query TrackFeedback($trackingCode: String!, $accessKey: String) {
    trackFeedback(trackingCode: $trackingCode, accessKey: $accessKey) { ...FeedbackFields }
  }
`,
  [FeedbackFields],
);

export const MyFeedback = graphql(`
  query MyFeedback($first: Int!) {
    feedbacks(first: $first) {
      edges { node { trackingCode kind content status receivedAt timeline { cursor } } }
    }
  }
`);

export const FeedbackProgress = graphql(
  `
  subscription FeedbackProgress($trackingCode: String!, $accessKey: String, $after: String) {
    feedbackProgress(trackingCode: $trackingCode, accessKey: $accessKey, after: $after) { ...EventFields }
  }
`,
  [EventFields],
);

export const RateFeedback = graphql(`
  mutation RateFeedback($input: RateFeedbackInput!) {
    rateFeedback(input: $input) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on RateFeedbackPayload { rating { rating comment createdAt } feedback { id status } }
    }
  }
`);

export const ExchangePortalTicket = graphql(`
  mutation ExchangePortalTicket($ticket: String!) {
    exchangePortalTicket(ticket: $ticket) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on PortalSessionPayload { token expiresAt channelKey }
    }
  }
`);

export const ReplyToFeedback = graphql(
  `
  mutation ReplyToFeedback($input: ReplyToFeedbackInput!) {
    replyToFeedback(input: $input) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on NotAllowedError { reason }
      ... on ReplyToFeedbackPayload { trackingCode accessKey replayed feedback { status canReply } event { ...EventFields } }
    }
  }
`,
  [EventFields],
);

export const WithdrawFeedback = graphql(`
  mutation WithdrawFeedback($input: WithdrawFeedbackInput!) {
    withdrawFeedback(input: $input) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on NotAllowedError { reason }
      ... on CustomerActionPayload { feedback { status outcome canReply reviewableUntil } }
    }
  }
`);

export const RequestReview = graphql(`
  mutation RequestReview($input: RequestReviewInput!) {
    requestReview(input: $input) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on NotAllowedError { reason }
      ... on CustomerActionPayload { feedback { status outcome canReply reviewableUntil } }
    }
  }
`);

export const CreateAttachmentUpload = graphql(`
  mutation CreateAttachmentUpload($input: CreateAttachmentUploadInput!) {
    createAttachmentUpload(input: $input) {
      __typename ... on Error { code message } ... on ValidationError { fieldErrors { path code message } }
      ... on AttachmentUpload { uploadUrl expiresAt maxBytes acceptedTypes }
    }
  }
`);
