import type { Database } from '@closeloop/db';
import type { Identity, Viewer } from './auth/identity.ts';
import type { Services } from './services/index.ts';
import type { RealtimeHub } from './realtime/hub.ts';

export interface Context {
  db: Database;
  viewer: Viewer;
  identity: Identity;
  services: Services;
  /** Feedback ids this request proved access to with a tracking code and access key. */
  grants: Set<string>;
  /** Live events of this process (subscriptions). */
  realtime: RealtimeHub;
  /** Set on WebSocket operations: lets a subscription close its connection (slow consumer). */
  transport?: { close(code: number, reason: string): void };
}
