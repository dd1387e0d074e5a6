import type { IncomingMessage, ServerResponse } from 'node:http';
import { and, eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { channelApps, customers, type Database } from '@closeloop/db';
import { decryptSecret, deriveKey } from '../auth/keys.ts';
import { createPortalTicket } from '../services/portal.ts';

export interface DemoOptions {
  db: Database;
  secretKey: Buffer;
}

/** The demo customer every demo page signs in as. */
export const DEMO_CUSTOMER = { sub: 'demo-cust-001', name: '张伟 Zhang Wei' };
const DEMO_CHANNELS = new Set(['pk_web_demo', 'pk_app_demo', 'pk_mini_demo']);

/**
 * Stand-ins for a host's backend, for the demo pages only (never in production): sign a demo customer
 * token with a demo channel's secret, or mint a portal ticket for a web-view.
 */
export function demoRoute(o: DemoOptions) {
  async function channel(key: string) {
    if (!DEMO_CHANNELS.has(key)) return null;
    const [row] = await o.db.select().from(channelApps).where(eq(channelApps.publishableKey, key)).limit(1);
    return row ?? null;
  }
  const json = (res: ServerResponse, status: number, body: unknown): void =>
    void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

  // Answers the request; a handled request is always answered, so the route returns true.
  async function answer(url: URL, res: ServerResponse): Promise<void> {
    const ch = await channel(url.searchParams.get('channel') ?? 'pk_web_demo');
    if (!ch) return json(res, 404, { error: 'The demo channels are not seeded (run npm start on an empty database)' });
    if (url.pathname === '/demo/customer-token') {
      // Exactly what a host backend does: HS256 with the channel's signing secret, sub = its customer id.
      const secret = decryptSecret(deriveKey(o.secretKey, 'channel-secret'), ch.signingSecretEnc!);
      const token = await new SignJWT({ name: DEMO_CUSTOMER.name })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(DEMO_CUSTOMER.sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret));
      return json(res, 200, { token, channelKey: ch.publishableKey });
    }
    const [customer] = await o.db.select().from(customers).where(and(eq(customers.realm, ch.realm), eq(customers.externalId, DEMO_CUSTOMER.sub))).limit(1);
    if (!customer) return json(res, 404, { error: 'The demo customer is not seeded' });
    const t = await createPortalTicket(o.db, { kind: 'CUSTOMER', channel: ch, customer }, null);
    json(res, 200, { ticket: t.ticket, expiresAt: t.expiresAt, channelKey: ch.publishableKey });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || (url.pathname !== '/demo/customer-token' && url.pathname !== '/demo/portal-ticket')) return false;
    await answer(url, res);
    return true;
  };
}
