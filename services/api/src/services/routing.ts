// Routing on submission and assignment: the rules are data (routing_rules), the decision is the pure
// routeFeedback/pickAssignee of @closeloop/domain.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { customers, departments, routingRules, staff, tickets, tiers, type Tx } from '@closeloop/db';
import {
  pickAssignee, routeFeedback, type Channel, type EscalationLevel, type FeedbackKind, type Priority, type RoutingRule,
} from '@closeloop/domain';

/** Roles that work a queue; supervisors, admins and auditors are never auto-assigned. */
const HANDLER_ROLES = ['AGENT', 'SENIOR', 'EXPERT'] as const;

export interface RouteRequest {
  kind: FeedbackKind;
  category: string | null;
  content: string;
  channel: Channel;
  customerId: string | null;
}

export interface RouteResult {
  ruleId: string | null;
  departmentId: string | null;
  level: EscalationLevel;
  priority: Priority;
  assigneeId: string | null;
  tierCode: string | null;
}

export async function loadRules(tx: Tx): Promise<RoutingRule[]> {
  const rows = await tx.select().from(routingRules).orderBy(asc(routingRules.position), asc(routingRules.id));
  return rows.map((r) => ({
    id: r.id,
    // The default rule matches everything, so it always comes last whatever its stored position.
    position: r.isDefault ? Number.MAX_SAFE_INTEGER : r.position,
    enabled: r.enabled || r.isDefault,
    // The department id stands in for the domain's department code: the rule table references ids.
    action: { departmentCode: r.departmentId, level: r.level, priority: r.priority },
    match: { kinds: r.kinds as FeedbackKind[], categories: r.categories, keywords: r.keywords, tiers: r.tiers, channels: r.channels as Channel[] },
  }));
}

/**
 * Open-ticket counts of the department's handlers (and of the account manager, wherever they work),
 * the input of the least-loaded choice.
 */
async function candidates(tx: Tx, departmentId: string | null, extraId: string | null) {
  const conditions = [];
  if (departmentId) conditions.push(and(eq(staff.departmentId, departmentId), inArray(staff.role, [...HANDLER_ROLES])));
  if (extraId) conditions.push(eq(staff.id, extraId));
  if (conditions.length === 0) return [];
  const open = sql<number>`(select count(*) from ${tickets} where ${tickets.assigneeId} = ${staff.id} and ${tickets.status} not in ('RESOLVED', 'CLOSED'))::int`;
  return tx
    .select({ id: staff.id, level: staff.level, active: staff.active, openTickets: open, name: staff.name })
    .from(staff)
    .where(conditions.length === 1 ? conditions[0] : sql`(${conditions[0]}) or (${conditions[1]})`);
}

/** Least-loaded active handler at `level` in the department (the account manager first when given). */
export async function chooseAssignee(tx: Tx, departmentId: string | null, level: EscalationLevel, accountManagerId: string | null = null, excludeId: string | null = null) {
  const all = await candidates(tx, departmentId, accountManagerId);
  return pickAssignee(excludeId ? all.filter((c) => c.id !== excludeId) : all, level, accountManagerId);
}

export type ReviewerSource = 'NEXT_LEVEL' | 'HIGHEST_LEVEL' | 'SUPERVISOR' | 'NONE';

/**
 * Who takes a ticket under review: never `previousId`. The least-loaded handler at the review's level in
 * the department; else another handler there at the highest level anyone works at (L3, L2, then L1);
 * else the department's supervisor (the least-loaded if several). NONE: nobody else works there, the
 * ticket waits in the queue (the events say so).
 */
export async function chooseReviewer(tx: Tx, departmentId: string | null, level: EscalationLevel, previousId: string | null) {
  const others = (await candidates(tx, departmentId, null)).filter((c) => c.id !== previousId);
  const atLevel = pickAssignee(others, level);
  if (atLevel) return { ...atLevel, source: 'NEXT_LEVEL' as ReviewerSource };
  for (const l of ['L3', 'L2', 'L1'] as const) {
    const picked = pickAssignee(others, l);
    if (picked) return { ...picked, source: 'HIGHEST_LEVEL' as ReviewerSource };
  }
  if (departmentId) {
    const open = sql<number>`(select count(*) from ${tickets} where ${tickets.assigneeId} = ${staff.id} and ${tickets.status} not in ('RESOLVED', 'CLOSED'))::int`;
    const supervisors = await tx
      .select({ id: staff.id, name: staff.name, level: staff.level, open })
      .from(staff)
      .where(and(eq(staff.departmentId, departmentId), eq(staff.role, 'SUPERVISOR'), eq(staff.active, true)))
      .orderBy(asc(open), asc(staff.id));
    const sup = supervisors.find((c) => c.id !== previousId);
    if (sup) return { id: sup.id, name: sup.name, source: 'SUPERVISOR' as ReviewerSource };
  }
  return null;
}

/** Department, level, priority and assignee for a new submission. */
export async function routeSubmission(tx: Tx, req: RouteRequest): Promise<RouteResult> {
  let tierCode: string | null = null;
  let accountManagerId: string | null = null;
  if (req.customerId) {
    const [c] = await tx
      .select({ tierCode: tiers.code, dedicated: tiers.dedicatedManager, managerId: customers.accountManagerId })
      .from(customers)
      .leftJoin(tiers, eq(tiers.id, customers.tierId))
      .where(eq(customers.id, req.customerId))
      .limit(1);
    tierCode = c?.tierCode ?? null;
    // A manager recorded on the customer is "dedicated" whatever the tier says: the host assigned them.
    accountManagerId = c?.managerId ?? null;
  }
  const decision = routeFeedback(await loadRules(tx), { kind: req.kind, category: req.category, content: req.content, tierCode, channel: req.channel });
  let departmentId: string | null = decision.ruleId ? decision.departmentCode : null;
  if (!departmentId) {
    // No rule at all (never after seeding): the fallback names a department code.
    const [d] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.code, decision.departmentCode)).limit(1);
    departmentId = d?.id ?? null;
  }
  const assignee = await chooseAssignee(tx, departmentId, decision.level, accountManagerId);
  return { ruleId: decision.ruleId, departmentId, level: decision.level, priority: decision.priority, assigneeId: assignee?.id ?? null, tierCode };
}
