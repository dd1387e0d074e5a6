import type { DocumentNode, ExecutionResult } from 'graphql';
import type { Database } from '@closeloop/db';
import type { Identity, Viewer } from './auth/identity.ts';
import type { Services } from './services/index.ts';
import type { RealtimeHub } from './realtime/hub.ts';
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
  /** Set on WebSocket operations. */
  transport?: LiveTransport;
  /** Abuse limits (src/limits/abuse.ts); null when switched off. */
  limits: AbuseLimits | null;
  /** The caller's network address (behind trusted proxies, from X-Forwarded-For). */
  clientAddress: string;
  /** Aborted when the operation passes its execution timeout (plugins/execution-timeout.ts). */
  signal?: AbortSignal;
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
