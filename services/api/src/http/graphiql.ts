// Example operations shown in GraphiQL outside production.
export const GRAPHIQL_EXAMPLES = `# Closeloop GraphQL API. Headers: {"x-closeloop-channel": "<publishable key>"} for anonymous
# submissions, or {"Authorization": "Bearer <token>"} for customers, staff and partners.

mutation Submit {
  submitFeedback(input: { kind: COMPLAINT, content: "The ATM at Main Street kept my card." }) {
    __typename
    ... on SubmitFeedbackPayload { trackingCode accessKey feedback { id status } }
    ... on Error { code message }
    ... on ValidationError { fieldErrors { path message } }
  }
}

query Track($code: String! = "FB-XXXX-XXXX", $key: String) {
  trackFeedback(trackingCode: $code, accessKey: $key) {
    trackingCode kind status expectedResolutionAt
    timeline { position type toStatus body createdAt }
  }
}

mutation Login {
  login(input: { email: "supervisor@demo.closeloop.dev", password: "closeloop-demo" }) {
    ... on LoginPayload { token expiresAt }
    ... on Error { code message }
  }
}

query Queue {
  tickets(first: 20, filter: { status: [SUBMITTED, ACKNOWLEDGED] }) {
    edges { node { id status kind priority receivedAt customer { name tier { code } } assignee { name } feedback { trackingCode content } } }
    pageInfo { hasNextPage endCursor }
  }
}

mutation Acknowledge($ticketId: ID!) {
  transitionTicket(input: { ticketId: $ticketId, status: ACKNOWLEDGED, note: "We are looking into it." }) {
    __typename
    ... on TicketPayload { ticket { status } }
    ... on InvalidTransitionError { from to allowed }
    ... on Error { code message }
  }
}
`;
