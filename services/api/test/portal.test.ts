import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalTickets } from '@closeloop/db';
import { bearer, setup, type TestEnv } from './helpers.ts';

const CREATE = /* GraphQL */ `
  mutation C($input: CreatePortalTicketInput) {
    createPortalTicket(input: $input) {
      __typename
      ... on PortalTicketPayload { ticket expiresAt portalPath }
      ... on Error { code }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;
const EXCHANGE = /* GraphQL */ `
  mutation X($ticket: String!) {
    exchangePortalTicket(ticket: $ticket) {
      __typename
      ... on PortalSessionPayload { token expiresAt channelKey }
      ... on Error { code }
    }
  }
`;

let env: TestEnv;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => env.close());

describe('portal tickets', () => {
  it('a customer token mints a single-use ticket that becomes a customer session', async () => {
    const token = await env.customerToken('portal-cust-1', { name: 'Portal Customer' });
    const c = await env.gql(CREATE, {}, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey });
    const p = c.data.createPortalTicket;
    expect(p.__typename).toBe('PortalTicketPayload');
    expect(new Date(p.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    expect(p.portalPath).toContain('/portal?ticket=');
    const stored = await env.handle.db.select().from(portalTickets);
    expect(stored.some((r) => r.tokenHash === p.ticket)).toBe(false); // hashed, never the ticket itself

    const x = await env.gql(EXCHANGE, { ticket: p.ticket });
    expect(x.data.exchangePortalTicket).toMatchObject({ __typename: 'PortalSessionPayload', channelKey: env.channel.publishableKey });
    const v = await env.gql(`{ viewer { kind customer { externalId } } }`, {}, bearer(x.data.exchangePortalTicket.token));
    expect(v.data.viewer).toEqual({ kind: 'CUSTOMER', customer: { externalId: 'portal-cust-1' } });

    const again = await env.gql(EXCHANGE, { ticket: p.ticket });
    expect(again.data.exchangePortalTicket.__typename).toBe('NotFoundError');
  });

  it('refuses expired tickets and anonymous callers', async () => {
    const token = await env.customerToken('portal-cust-2');
    const p = (await env.gql(CREATE, {}, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey })).data.createPortalTicket;
    await env.handle.db.update(portalTickets).set({ expiresAt: new Date(Date.now() - 1000) });
    expect((await env.gql(EXCHANGE, { ticket: p.ticket })).data.exchangePortalTicket.__typename).toBe('NotFoundError');
    const anon = await env.gql(CREATE, {}, { 'x-closeloop-channel': env.channel.publishableKey });
    expect(anon.data.createPortalTicket.__typename).toBe('ForbiddenError');
  });

  it('a partner key with customers:write names the customer and channel', async () => {
    const key = await env.apiKey(['customers:write']);
    const missing = await env.gql(CREATE, { input: {} }, bearer(key));
    expect(missing.data.createPortalTicket.fieldErrors.map((e: { path: string[] }) => e.path[1])).toEqual(['customerExternalId', 'channelKey']);
    const ok = await env.gql(CREATE, { input: { customerExternalId: 'crm-42', channelKey: env.channel.publishableKey } }, bearer(key));
    const x = await env.gql(EXCHANGE, { ticket: ok.data.createPortalTicket.ticket });
    const v = await env.gql(`{ viewer { kind customer { externalId } } }`, {}, bearer(x.data.exchangePortalTicket.token));
    expect(v.data.viewer.customer.externalId).toBe('crm-42');
    const reader = await env.apiKey(['customers:read']);
    expect((await env.gql(CREATE, { input: { customerExternalId: 'crm-42', channelKey: env.channel.publishableKey } }, bearer(reader))).data.createPortalTicket.__typename).toBe('ForbiddenError');
  });
});
