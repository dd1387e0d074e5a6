// The console's hot GraphQL documents, apart from the screens so that the API can compile them ahead of
// time (services/api/src/compiled/documents.ts imports this file): a change here reaches both at once.

/** What every screen needs of a ticket in a list or a live event: the ticket as it is now. */
export const TICKET_ROW = `id status kind channel priority level receivedAt resolutionDueAt firstResponseDueAt firstRespondedAt
  slaState resolutionBreachedAt firstResponseBreachedAt updatedAt
  department { id code name } assignee { id name }
  customer { id name tier { code name } }
  feedback { trackingCode content }`;

/** The queue: one page in the chosen order, filtered. */
export const QUEUE = `query($first: Int!, $after: String, $filter: TicketFilter, $orderBy: TicketOrder) {
  tickets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { pageInfo { hasNextPage endCursor } edges { node { ${TICKET_ROW} } } } }`;
