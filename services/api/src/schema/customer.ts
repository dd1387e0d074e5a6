import { builder } from './builder.ts';
import { and, eq, sql } from 'drizzle-orm';
import { feedback } from '@closeloop/db';
import { canReadCustomer, canReadPiiOf, departmentScope, partnerHas, partnerReadsFeedback } from '../policy/access.ts';
import { checkPage } from './ids.ts';
import { feedbackWhere } from './feedback.ts';
import { contactValue } from './pii.ts';
import type { Context } from '../context.ts';

/**
 * Staff see whether a ticket of this customer is assigned to them, or they are the customer's account
 * manager: those read the contact unmasked (access.ts canReadPiiOf).
 */
const contactSelect = (_args: object, ctx: Context) => ({
  columns: { phone: true, email: true, accountManagerId: true },
  ...(ctx.viewer.kind === 'STAFF'
    ? { with: { tickets: { columns: { id: true }, where: { assigneeId: ctx.viewer.staff.id }, limit: 1 } } }
    : {}),
});

type ContactRow = { id: string; phone: string | null; email: string | null; accountManagerId: string | null; tickets?: unknown[] };
const assigned = (c: ContactRow, ctx: Context) =>
  ctx.viewer.kind === 'STAFF' && (c.accountManagerId === ctx.viewer.staff.id || (c.tickets?.length ?? 0) > 0);
const contact = (field: 'phone' | 'email') => (c: unknown, _a: unknown, ctx: Context) => {
  const row = c as ContactRow;
  return contactValue(ctx, { type: 'Customer', id: row.id, customerId: row.id, assigned: assigned(row, ctx) }, field, row[field]);
};

/** How many of this customer's feedback the caller may read (the rule of feedbackWhere, in SQL). */
async function countFeedbackOf(ctx: Context, customerId: string): Promise<number> {
  const v = ctx.viewer;
  if (v.kind === 'ANONYMOUS' || (v.kind === 'PARTNER' && !partnerReadsFeedback(v))) return 0;
  if (v.kind === 'CUSTOMER' && v.customer.id !== customerId) return 0;
  const dept = departmentScope(v);
  const scoped = dept !== null && v.kind === 'STAFF'
    ? sql`exists (select 1 from tickets t where t.id = ${feedback.ticketId} and (t.department_id = ${dept} or t.assignee_id = ${v.staff.id}))`
    : undefined;
  return ctx.db.$count(feedback, and(eq(feedback.customerId, customerId), scoped));
}

export const CustomerRef = builder.drizzleNode('customers', {
  name: 'Customer',
  id: { column: (c) => c.id },
  select: { columns: { id: true } },
  authScopes: (c, ctx) => canReadCustomer(ctx.viewer, c),
  runScopesOnType: true,
  fields: (t) => ({
    externalId: t.exposeString('externalId', { description: "The host institution's own customer id (the token's `sub`)." }),
    name: t.exposeString('name', { nullable: true }),
    phone: t.string({ nullable: true, description: 'Masked (138****8000) without pii:read.', select: contactSelect as never, resolve: contact('phone') }),
    email: t.string({ nullable: true, description: 'Masked (z***@bank.com) without pii:read.', select: contactSelect as never, resolve: contact('email') }),
    birthday: t.exposeString('birthday', { nullable: true }),
    rewardPoints: t.exposeInt('rewardPoints'),
    tier: t.relation('tier', { nullable: true }),
    accountManager: t.relation('accountManager', { nullable: true }),
    feedback: t.relatedConnection('feedback', {
      description: "This customer's feedback, newest first.",
      // Scoped like the feedbacks list, so an agent never meets another department's items here.
      query: (args, ctx) => {
        checkPage(args);
        return { where: feedbackWhere(ctx, null) as never, orderBy: { receivedAt: 'desc' as const } };
      },
    }, {
      // Counted here rather than by the drizzle plugin, whose count statement is malformed with
      // drizzle 1.0 rc.5; the same visibility as the page (feedbackWhere).
      fields: (c) => ({
        totalCount: c.int({ resolve: (conn, _a, ctx) => countFeedbackOf(ctx, (conn as unknown as { parent: { id: string } }).parent.id) }),
      }),
    }),
  }),
});

builder.queryFields((t) => ({
  customers: t.drizzleConnection({
    type: 'customers',
    description: 'Customers (staff, or partners with customers:read).',
    authScopes: (_r, _a, ctx) => ctx.viewer.kind === 'STAFF' || partnerHas(ctx.viewer, 'customers:read'),
    args: {
      search: t.arg.string({ description: 'Matches name or external id; phone and e-mail too for callers with pii:read (case-insensitive).' }),
    },
    resolve: (query, _root, args, ctx) => {
      checkPage(args);
      const q = args.search?.trim();
      const like = q ? `%${q.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
      // Searching by a contact detail would confirm it: only for those who may read it.
      const pii = canReadPiiOf(ctx.viewer, null, false);
      const matches = like
        ? [{ name: { ilike: like } }, { externalId: { ilike: like } }, ...(pii ? [{ phone: { ilike: like } }, { email: { ilike: like } }] : [])]
        : null;
      return ctx.db.query.customers.findMany(
        query({
          where: matches ? { OR: matches } : undefined,
          orderBy: { createdAt: 'desc' },
        }),
      );
    },
  }),
}));
