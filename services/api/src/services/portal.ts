import { and, eq, gt, isNull } from 'drizzle-orm';
import { channelApps, customers, portalTickets, type Database } from '@closeloop/db';
import type { ChannelApp, CustomerRow, Identity, Viewer } from '../auth/identity.ts';
import { randomToken, sha256 } from '../auth/keys.ts';
import { ensureCustomer } from './sign-in.ts';
import { partnerHas } from '../schema/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../schema/errors.ts';

/** A portal ticket lives for a minute: long enough to open a web-view, too short to be worth stealing. */
export const PORTAL_TICKET_TTL_SECONDS = 60;
/** The portal session it is exchanged for; the page cannot refresh it, so it covers a visit. */
export const PORTAL_SESSION_TTL_SECONDS = 3600;
export const PORTAL_TICKET_PREFIX = 'cpt_';

export interface CreatePortalTicketInput {
  customerExternalId?: string | null;
  channelKey?: string | null;
}

/**
 * Mints a single-use portal ticket. A host backend calls this either with its customer token (the
 * ticket is for that customer and channel) or with a partner key holding customers:write, naming
 * the customer and the channel.
 */
export async function createPortalTicket(db: Database, viewer: Viewer, input: CreatePortalTicketInput | null | undefined) {
  let channel: ChannelApp;
  let customerId: string;
  if (viewer.kind === 'CUSTOMER') {
    if (input?.customerExternalId != null && input.customerExternalId !== viewer.customer.externalId) {
      throw new ValidationError([{ path: ['input', 'customerExternalId'], code: 'NOT_ALLOWED', message: 'A customer token can only mint tickets for its own customer' }]);
    }
    channel = viewer.channel;
    customerId = viewer.customer.id;
  } else if (viewer.kind === 'PARTNER' && partnerHas(viewer, 'customers:write')) {
    const errors = [];
    const externalId = input?.customerExternalId?.trim() ?? '';
    if (externalId.length === 0 || externalId.length > 128) {
      errors.push({ path: ['input', 'customerExternalId'], code: 'REQUIRED', message: 'customerExternalId (1–128 characters) is required with a partner key' });
    }
    if (!input?.channelKey) errors.push({ path: ['input', 'channelKey'], code: 'REQUIRED', message: 'channelKey (the publishable key) is required with a partner key' });
    if (errors.length) throw new ValidationError(errors);
    const [row] = await db.select().from(channelApps).where(eq(channelApps.publishableKey, input!.channelKey!)).limit(1);
    if (!row || !row.active) throw new NotFoundError('No active channel with this publishable key');
    channel = row;
    // The customer of the channel's realm: a partner channel's customers are not the bank's.
    customerId = (await ensureCustomer(db, row.realm, externalId)).id;
  } else {
    throw new ForbiddenError('Portal tickets are minted with a customer token or a partner key with customers:write');
  }
  const ticket = PORTAL_TICKET_PREFIX + randomToken(24);
  const expiresAt = new Date(Date.now() + PORTAL_TICKET_TTL_SECONDS * 1000);
  await db.insert(portalTickets).values({ tokenHash: sha256(ticket), channelAppId: channel.id, customerId, expiresAt });
  return { ticket, expiresAt, channelKey: channel.publishableKey };
}

/** Redeems a ticket once, atomically: the UPDATE both checks and spends it. */
export async function exchangePortalTicket(db: Database, identity: Identity, ticket: string) {
  const invalid = () => new NotFoundError('This portal ticket is unknown, used or expired');
  if (!ticket.startsWith(PORTAL_TICKET_PREFIX) || ticket.length > 100) throw invalid();
  const now = new Date();
  const [spent] = await db
    .update(portalTickets)
    .set({ usedAt: now })
    .where(and(eq(portalTickets.tokenHash, sha256(ticket)), isNull(portalTickets.usedAt), gt(portalTickets.expiresAt, now)))
    .returning();
  if (!spent) throw invalid();
  const [channel] = await db.select().from(channelApps).where(eq(channelApps.id, spent.channelAppId)).limit(1);
  const [customer] = await db.select().from(customers).where(eq(customers.id, spent.customerId)).limit(1);
  if (!channel?.active || !customer) throw invalid();
  const session = await identity.issuePortalSession(channel, customer as CustomerRow, PORTAL_SESSION_TTL_SECONDS);
  return { ...session, channelKey: channel.publishableKey };
}
