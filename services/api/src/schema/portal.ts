import { builder } from './builder.ts';
import { ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from './errors.ts';
import { createPortalTicket, exchangePortalTicket } from '../services/portal.ts';

const CreatePortalTicketInput = builder.inputType('CreatePortalTicketInput', {
  description: 'With a customer token leave both empty; with a partner key (customers:write) name the customer and channel.',
  fields: (t) => ({
    customerExternalId: t.string({ description: "The host's customer id." }),
    channelKey: t.string({ description: "The channel's publishable key the portal will act for." }),
  }),
});

const PortalTicketPayload = builder
  .objectRef<{ ticket: string; expiresAt: Date; channelKey: string }>('PortalTicketPayload')
  .implement({
    fields: (t) => ({
      ticket: t.exposeString('ticket', { description: 'Single use; put it in the portal URL: /portal?ticket=…' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'One minute after minting.' }),
      portalPath: t.string({
        description: 'The hosted portal path with the ticket, relative to the API origin.',
        resolve: (p) => `/portal?ticket=${encodeURIComponent(p.ticket)}&channel=${encodeURIComponent(p.channelKey)}`,
      }),
    }),
  });

const PortalSessionPayload = builder
  .objectRef<{ token: string; expiresAt: Date; channelKey: string }>('PortalSessionPayload')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', { description: 'A customer session: send as `Authorization: Bearer <token>`.' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      channelKey: t.exposeString('channelKey'),
    }),
  });

builder.mutationFields((t) => ({
  createPortalTicket: t.field({
    type: PortalTicketPayload,
    description:
      "A host backend mints a single-use, 60-second ticket that signs its customer into the hosted portal (/portal) — for web-views, " +
      'where a long-lived token must not travel in a URL. Call it with the customer token, or with a partner key with customers:write.',
    errors: { types: [ValidationError, ForbiddenError, NotFoundError], directResult: true, union: { name: 'CreatePortalTicketResult' } },
    args: { input: t.arg({ type: CreatePortalTicketInput }) },
    resolve: (_root, { input }, ctx) => createPortalTicket(ctx.db, ctx.viewer, input),
  }),
  exchangePortalTicket: t.field({
    type: PortalSessionPayload,
    description: 'The portal page redeems its ticket once for a short customer session (one hour).',
    errors: { types: [NotFoundError, ValidationError, RateLimitedError], directResult: true, union: { name: 'ExchangePortalTicketResult' } },
    args: { ticket: t.arg.string({ required: true }) },
    resolve: async (_root, { ticket }, ctx) => {
      await ctx.limits?.accessCheck(ctx.viewer, ctx.clientAddress, ticket);
      return exchangePortalTicket(ctx.db, ctx.identity, ticket);
    },
  }),
}));
