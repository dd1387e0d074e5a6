import type { IncomingMessage } from 'node:http';
import { createYoga } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import type { Database } from '@closeloop/db';
import { schema } from '../schema/index.ts';
import type { CompiledReplays, Context } from '../context.ts';
import type { Identity, Viewer } from '../auth/identity.ts';
import type { Services } from '../services/index.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import { useSharedSubscriptionResults } from '../realtime/shared-execution.ts';
import { usePasswordChangeGate } from '../auth/password-gate.ts';
import { maskError } from '../unavailable.ts';
import { useInputGuards } from '../input-guards.ts';
import { log, type Logger } from '../log.ts';
import type { AbuseLimits } from '../limits/abuse.ts';
import { clientAddress } from '../limits/transport.ts';
import type { TrustedDocuments } from '../limits/trusted-documents.ts';
import { recordCost, useAbuseLimits, useParseErrorStatus, useProductionPosture, useResponseHeaders, type RequestFacts } from '../limits/plugins.ts';
import { DEFAULT_EXECUTION_TIMEOUT_MS, useExecutionTimeout } from '../plugins/execution-timeout.ts';
import { useOperationLog, yogaLogger } from './operation-log.ts';
import { useJsonNegotiation } from './negotiation.ts';
import type { CorsOptionsFor } from './cors.ts';
import type { ViewerOf } from './viewer.ts';

export interface YogaSettings {
  production: boolean;
  bodyLimitBytes: number;
  /** Yoga's `cors` option; the fast path builds its headers from the same function (http/cors.ts). */
  cors: CorsOptionsFor;
  limits: AbuseLimits | null;
  /** Production: the documents anonymous and customer callers may run; null: any. */
  trusted: TrustedDocuments | null;
  executionTimeoutMs?: number;
}

/** What every operation's context is made of, besides the caller. */
export interface ContextParts {
  db: Database;
  identity: Identity;
  services: Services;
  realtime: RealtimeHub;
  limits: AbuseLimits | null;
  viewerOf: ViewerOf;
  trustedProxies: number;
  replays?: CompiledReplays;
}

// Refusals are reported as validation errors (answered 400 / 200 like any invalid document), never thrown.
const armor = { exposeLimits: true, propagateOnRejection: false, onReject: [(ctx: { reportError(e: GraphQLError): void } | null, e: GraphQLError) => ctx?.reportError(e)] };

/** Yoga over the schema, with the limits, guards and headers every request and subscription goes through. */
export function buildYoga(s: YogaSettings, context: (initial: Record<string, unknown>) => Promise<Context>) {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Served by graphiqlRoute (own assets, CSP) outside production.
    graphiql: false,
    maxRequestBodySize: s.bodyLimitBytes,
    cors: s.cors,
    // Unexpected errors are masked ("Unexpected error."); expected ones are GraphQLErrors with extensions.code.
    maskedErrors: { maskError },
    logging: yogaLogger(s.production ? 'info' : 'warn'),
    // Cost limits: a public endpoint must refuse abusive documents before executing them.
    plugins: [
      maxDepthPlugin({ n: 12, ...armor }),
      maxAliasesPlugin({ n: 20, ...armor }),
      maxTokensPlugin({ n: 4000 }),
      costLimitPlugin({ maxCost: 20000, ...armor, onAccept: [recordCost] }),
      useExecutionTimeout({ ms: s.executionTimeoutMs ?? DEFAULT_EXECUTION_TIMEOUT_MS }),
      // NUL characters refused, variable errors coded (input-guards.ts).
      useInputGuards(),
      useParseErrorStatus(),
      useResponseHeaders(),
      // The JSON media type comes from the function the fast path uses too.
      useJsonNegotiation(),
      ...(s.production ? [useProductionPosture({ trusted: s.trusted })] : []),
      ...(s.limits ? [useAbuseLimits(s.limits)] : []),
      // Each live event is executed once per document and caller, not once per subscriber.
      useSharedSubscriptionResults(),
      usePasswordChangeGate(),
      useOperationLog(),
    ],
    context,
  });
}

/**
 * The context of an operation, whichever way it came: the fast path and the WebSocket server pass the
 * viewer (and the WebSocket its transport and address) in the initial context; Yoga's own HTTP
 * handling passes the node request, with the viewer the request handler resolved on it, if any.
 */
export function contextFactory(p: ContextParts) {
  return async (initial: Record<string, unknown>): Promise<Context> => {
    const { viewer: wsViewer, transport: live, clientAddress: wsAddress, req } = initial as {
      viewer?: Viewer; transport?: Context['transport']; clientAddress?: string; req?: IncomingMessage & RequestFacts;
    };
    const request = (initial as { request?: Request }).request;
    // The request's (or WebSocket subscription's) child logger, with its request id.
    const opLog = (initial as { log?: Logger }).log ?? (initial as { req?: { log?: Logger } }).req?.log ?? log;
    const viewer =
      wsViewer ??
      req?.closeloopViewer ??
      (await p.viewerOf(request?.headers.get('authorization'), request?.headers.get('x-closeloop-channel')));
    const address = wsAddress ?? clientAddress(req, p.trustedProxies);
    return {
      db: p.db, viewer, identity: p.identity, services: p.services, grants: new Set(), realtime: p.realtime,
      transport: live, limits: p.limits, clientAddress: address, log: opLog, replays: p.replays,
    };
  };
}
