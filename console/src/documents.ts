// The console's hot GraphQL documents, apart from the screens so that the API can compile them ahead of
// time (services/api/src/compiled/documents.ts imports this file): a change here reaches both at once.

/** What every screen needs of a ticket in a list or a live event: the ticket as it is now. */
export const TICKET_ROW = `id status kind channel priority level receivedAt resolutionDueAt firstResponseDueAt firstRespondedAt
  slaState resolutionBreachedAt firstResponseBreachedAt updatedAt
  department { id code name } assignee { id name }
  customer { id name tier { code name } }
  feedback { trackingCode content }`;

/** The queue: one page in the chosen order, filtered. */
export const QUEUE = `query ConsoleQueue($first: Int!, $after: String, $filter: TicketFilter, $orderBy: TicketOrder) {
  tickets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { pageInfo { hasNextPage endCursor } edges { node { ${TICKET_ROW} } } } }`;

/**
 * The ticket screen's ticket: its handling, its feedback and its whole timeline (what grows with the
 * ticket), compiled by the API. The screen reads the rest beside it (ticket.ts PANEL): SLA figures,
 * collaborators, contact details (masked or audited) and the reference lists.
 */
export const TICKET = `query ConsoleTicket($id: ID!) {
  node(id: $id) { ... on Ticket {
    id status kind channel priority level receivedAt resolutionDueAt firstResponseDueAt firstRespondedAt viewerCanChange allowedTransitions
    department { id code name } assignee { id name }
    customer { id name externalId tier { code name } accountManager { id name } }
    feedback { id trackingCode kind content category tags receivedAt contact { name } }
    timeline { id type visibility actorType actorName body createdAt toStatus feedback { trackingCode } attachments { id filename size url thumbnailUrl } }
  } }
}`;
