import { builder } from './builder.ts';
import { partnerHas } from '../policy/access.ts';
import { checkPage } from './ids.ts';
import { feedbackWhere } from './feedback.ts';
import type { Context } from '../context.ts';

function canReadCustomer(ctx: Context, c: { id: string }): boolean {
  const v = ctx.viewer;
  if (v.kind === 'CUSTOMER') return v.customer.id === c.id;
  if (v.kind === 'PARTNER') return partnerHas(v, 'customers:read') || partnerHas(v, 'feedback:read') || partnerHas(v, 'tickets:read');
  return v.kind === 'STAFF';
}

export const CustomerRef = builder.drizzleNode('customers', {
  name: 'Customer',
  id: { column: (c) => c.id },
  select: { columns: { id: true } },
  authScopes: (c, ctx) => canReadCustomer(ctx, c),
  runScopesOnType: true,
  fields: (t) => ({
    externalId: t.exposeString('externalId', { description: "The host institution's own customer id (the token's `sub`)." }),
    name: t.exposeString('name', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    birthday: t.exposeString('birthday', { nullable: true }),
    rewardPoints: t.exposeInt('rewardPoints'),
    tier: t.relation('tier', { nullable: true }),
    accountManager: t.relation('accountManager', { nullable: true, authScopes: { backOffice: true } }),
    feedback: t.relatedConnection('feedback', {
      description: "This customer's feedback, newest first.",
      // Scoped like the feedbacks list, so an agent never meets another department's items here.
      query: (_args, ctx) => ({ where: feedbackWhere(ctx, null) as never, orderBy: { receivedAt: 'desc' as const } }),
      totalCount: true,
    }),
  }),
});

builder.queryFields((t) => ({
  customers: t.drizzleConnection({
    type: 'customers',
    description: 'Customers (staff, or partners with customers:read).',
    authScopes: { staff: true, partner: 'customers:read' },
    args: { search: t.arg.string({ description: 'Matches name, external id, phone or email (case-insensitive).' }) },
    resolve: (query, _root, args, ctx) => {
      checkPage(args);
      const q = args.search?.trim();
      const like = q ? `%${q.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
      return ctx.db.query.customers.findMany(
        query({
          where: like
            ? { OR: [{ name: { ilike: like } }, { externalId: { ilike: like } }, { phone: { ilike: like } }, { email: { ilike: like } }] }
            : undefined,
          orderBy: { createdAt: 'desc' },
        }),
      );
    },
  }),
}));
