import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { refuseSimplePost } from '../limits/transport.ts';
import type { RequestFacts } from '../limits/plugins.ts';
import { prereadJsonBody } from './body.ts';
import { pathOf, type Route } from './routes.ts';
import type { ViewerOf } from './viewer.ts';

export interface EndpointParts {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** The fast path for plain JSON POSTs (http/graphql.ts), or null to hand everything to Yoga. */
  direct: Route | null;
  /** GraphiQL (outside production), tried first on /graphql. */
  graphiql: Route | null;
  viewerOf: ViewerOf;
  bodyLimitBytes: number;
}

/**
 * Every request no route answered: /graphql (and Yoga's 404 for anything else). The viewer is resolved
 * once here, before validation, so introspection and suggestions can depend on who asks; a credential
 * that fails is left for Yoga to resolve again and answer with the error.
 */
export function graphqlEndpoint(p: EndpointParts) {
  return async (req: IncomingMessage & RequestFacts, res: ServerResponse): Promise<void> => {
    if (pathOf(req) === '/graphql') {
      if (p.graphiql && (await p.graphiql(req, res))) return;
      if (refuseSimplePost(req, res)) return;
      if (req.method !== 'OPTIONS') {
        req.closeloopViewer = await p.viewerOf(req.headers.authorization, req.headers['x-closeloop-channel'] as string | undefined).catch(() => undefined);
      }
    }
    await prereadJsonBody(req, p.bodyLimitBytes);
    if (p.direct && (await p.direct(req, res))) return;
    await p.yoga(req, res);
  };
}
