import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/**
 * GraphiQL outside production, from the installed @graphql-yoga/render-graphiql (code inlined in the
 * page: no CDN, so it works offline) under a CSP that allows exactly its inline script (by hash), the
 * blob: workers it starts and requests to this origin. Staff paste bearer tokens here.
 */
export function graphiqlRoute(endpoint: string) {
  let page: Promise<{ html: string; csp: string }> | null = null;
  const build = async () => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    const html = renderGraphiQL({ title: 'Closeloop GraphQL', defaultQuery: GRAPHIQL_EXAMPLES, endpoint } as never);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
    const csp = [
      "default-src 'none'", `script-src ${scripts.join(' ')}`, "worker-src blob:", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
      "font-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].join('; ');
    return { html, csp };
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== endpoint || !String(req.headers.accept ?? '').includes('text/html')) return false;
    const { html, csp } = await (page ??= build());
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(html);
    return true;
  };
}
