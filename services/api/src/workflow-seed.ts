// Default workflow configuration every deployment starts with (issue 6). Idempotent: runs on every
// start, fills empty tables only, so an admin's edits and deletions stay.
import { eq } from 'drizzle-orm';
import { businessCalendars, departments, routingRules, slaPolicies, type Database } from '@closeloop/db';
import { DEFAULT_CALENDAR, DEFAULT_ROUTING_RULES, DEFAULT_SLA_POLICIES } from '@closeloop/domain';
import { BUNDLED_HOLIDAY_DATA, importHolidays, SYSTEM_ACTOR } from './services/holidays.ts';

export const DEFAULT_CALENDAR_CODE = 'CN_MAINLAND';

const RULE_NAMES: Record<string, string> = {
  'default-fraud': 'Fraud and unauthorised use → risk (L2, urgent)',
  'default-premium-credit-complaint': 'VIP / private-banking credit complaint → credit (L2, high)',
  'default-premium-complaint': 'VIP / private-banking complaint → customer service (L2, high)',
  'default-suggestion': 'Suggestions → product',
  'default-credit': 'Loans, cards, mortgages → credit',
  'default-praise': 'Praise → customer service (low)',
  default: 'Default: everything else → customer service',
};

export async function seedWorkflow(db: Database): Promise<void> {
  const [existing] = await db.select({ id: businessCalendars.id }).from(businessCalendars).where(eq(businessCalendars.isDefault, true)).limit(1);
  if (!existing) {
    await db.insert(businessCalendars).values({
      code: DEFAULT_CALENDAR_CODE,
      name: '中国大陆工作日 Mainland China working days (2026 holidays)',
      timeZone: DEFAULT_CALENDAR.timeZone,
      weeklyHours: DEFAULT_CALENDAR.weeklyHours,
      holidays: [...DEFAULT_CALENDAR.holidays],
      workingDays: [...DEFAULT_CALENDAR.workingDays],
      holidayYears: [...(DEFAULT_CALENDAR.holidayYears ?? [])],
      isDefault: true,
    }).onConflictDoNothing();
  }
  // Years added to the bundled holiday data files reach existing calendars on the next start.
  for (const [code, file] of Object.entries(BUNDLED_HOLIDAY_DATA)) {
    const [cal] = await db.select({ id: businessCalendars.id }).from(businessCalendars).where(eq(businessCalendars.code, code)).limit(1);
    if (cal) await importHolidays(db, SYSTEM_ACTOR, { id: cal.id }, file, { onlyMissing: true });
  }
  // Policies and rules are seeded once, on an empty table: an admin's deletions must not come back on restart.
  const [anyPolicy] = await db.select({ id: slaPolicies.id }).from(slaPolicies).limit(1);
  if (!anyPolicy) {
    await db.insert(slaPolicies).values(DEFAULT_SLA_POLICIES.map((p) => ({
      kind: p.kind, tierCode: p.tierCode, category: p.category ?? null,
      firstResponseMinutes: p.targets.firstResponseMinutes, resolutionMinutes: p.targets.resolutionMinutes,
    }))).onConflictDoNothing();
  }
  const [anyRule] = await db.select({ id: routingRules.id }).from(routingRules).limit(1);
  const [defaultRule] = await db.select({ id: routingRules.id }).from(routingRules).where(eq(routingRules.isDefault, true)).limit(1);
  if (anyRule && defaultRule) return;
  const depts = new Map((await db.select().from(departments)).map((d) => [d.code, d.id]));
  // An empty table gets every default rule; otherwise only the catch-all, which must always exist.
  const rules = DEFAULT_ROUTING_RULES.filter((r) => depts.has(r.action.departmentCode) && (!anyRule || r.id === 'default')).map((r) => ({
    key: r.id, name: RULE_NAMES[r.id] ?? r.id, position: r.position, enabled: r.enabled, isDefault: r.id === 'default',
    kinds: [...(r.match.kinds ?? [])], categories: [...(r.match.categories ?? [])], keywords: [...(r.match.keywords ?? [])],
    tiers: [...(r.match.tiers ?? [])], channels: [...(r.match.channels ?? [])],
    departmentId: depts.get(r.action.departmentCode)!, level: r.action.level, priority: r.action.priority,
  }));
  if (rules.length) await db.insert(routingRules).values(rules).onConflictDoNothing({ target: routingRules.key });
}
