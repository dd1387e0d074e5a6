import type { DocumentNode, ExecutionResult } from 'graphql';
import type { SQL } from 'drizzle-orm';
import type { Database } from '@closeloop/db';
import type { Identity, Viewer } from './auth/identity.ts';
import type { Services } from './services/index.ts';
import type { RealtimeHub } from './realtime/hub.ts';
import type { Logger } from './log.ts';
import type { AbuseLimits } from './limits/abuse.ts';

export interface Context {
  db: Database;
  viewer: Viewer;
  identity: Identity;
  services: Services;
  /** Feedback ids this request proved access to with a tracking code and access key. */
  grants: Set<string>;
  /** Live events of this process (subscriptions). */
  realtime: RealtimeHub;
  /** This request's (or subscription's) logger, with its request id. */
  log?: Logger;
  /** Set on WebSocket operations. */
  transport?: LiveTransport;
  /** Abuse limits (src/limits/abuse.ts); null when switched off. */
  limits: AbuseLimits | null;
  /** The caller's network address (behind trusted proxies, from X-Forwarded-For). */
  clientAddress: string;
  /** Aborted when the operation passes its execution timeout (plugins/execution-timeout.ts). */
  signal?: AbortSignal;
  /** Subscription documents whose replayed events are built by the database (compiled/replays.ts); absent: executed. */
  replays?: CompiledReplays;
}

/** A subscription's replay payloads built in SQL: each event's `next` payload read beside the event. */
export interface CompiledReplays {
  /** For a WebSocket operation's document, the column holding each event's JSON and how it becomes the payload; null: execute. */
  payload(document: DocumentNode, operationName: string | null | undefined, viewer: Viewer): ReplayPayload | null;
}
export interface ReplayPayload {
  column: SQL;
  /** The `next` payload (`{"data":{…}}`) from the column's text. */
  finish(json: string): string;
}

export interface LiveTransport {
  /** Closes the connection (slow consumer). */
  close(code: number, reason: string): void;
  /** Lets a subscription write graphql-ws `next` frames itself (the fan-out fast path, realtime/subscriptions.ts). */
  direct?: DirectDelivery;
}

export interface DirectDelivery {
  /** The graphql-ws operation id. */
  id: string;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  /** Executes the operation (with the server's plugins) for one event. */
  execute(rootValue: unknown): ExecutionResult | Promise<ExecutionResult>;
  send(frame: string): void;
  /** Bytes accepted by send() and not yet written to the network. */
  bufferedAmount(): number;
}
