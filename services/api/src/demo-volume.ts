// A demo queue worth opening (issue 13): a few hundred tickets across departments, tiers, levels and
// states, some past their SLA (the sweeper then records the breaches and escalates), some escalated by
// hand, some incidents with several customers merged. `npm start` on an empty database only; tests do
// not use it. Bulk inserts in one transaction: a second or two, not one request per ticket.
import { randomUUID, randomBytes } from 'node:crypto';
import { eq, like, sql } from 'drizzle-orm';
import { customers, departments, feedback, slaPolicies, staff, tickets, tiers, timelineEvents, type Database, type Tx } from '@closeloop/db';
import {
  effectiveTargets, makeTrackingCode, nextLevel, resolvePolicy, routeFeedback,
  type Channel, type EscalationLevel, type FeedbackKind, type TicketStatus,
} from '@closeloop/domain';
import { lockTimeline } from './services/events.ts';
import { loadRules } from './services/routing.ts';
import { EMPTY_TICKET, departmentCalendar, schedule } from './services/sla.ts';

/** Deterministic choices, so every demo looks the same. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, chance: (p: number) => next() < p };
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '建国', '晓燕'];
const SAMPLES: Array<{ kind: FeedbackKind; category: string; content: string; tags: string[] }> = [
  { kind: 'COMPLAINT', category: 'loan', content: '房贷提前还款申请提交两周了还没有回复。My early mortgage repayment request has had no answer for two weeks.', tags: ['mortgage'] },
  { kind: 'COMPLAINT', category: 'card', content: '信用卡被重复扣了年费，请尽快退回。My credit card annual fee was charged twice.', tags: ['fee'] },
  { kind: 'COMPLAINT', category: 'branch', content: '人民路支行排队一个多小时，只开了两个窗口。Over an hour in the queue at the Renmin Road branch.', tags: ['waiting'] },
  { kind: 'COMPLAINT', category: 'app', content: '手机银行转账一直提示系统繁忙。The mobile app keeps saying the system is busy when I transfer.', tags: ['mobile'] },
  { kind: 'COMPLAINT', category: 'atm', content: 'ATM 吞卡后没有人联系我。The ATM kept my card and nobody has contacted me.', tags: ['atm'] },
  { kind: 'COMPLAINT', category: 'fraud', content: '账户出现一笔不明交易，怀疑被盗刷。An unknown transaction on my account: I suspect fraud.', tags: ['unauthorised'] },
  { kind: 'INQUIRY', category: 'loan', content: '贷款审批一般需要多长时间？How long does a loan approval usually take?', tags: [] },
  { kind: 'INQUIRY', category: 'account', content: '如何修改预留手机号？How do I change the phone number on my account?', tags: [] },
  { kind: 'INQUIRY', category: 'card', content: '信用卡额度可以临时调高吗？Can my credit limit be raised temporarily?', tags: [] },
  { kind: 'SUGGESTION', category: 'app', content: '希望手机银行支持批量转账。Please support batch transfers in the mobile app.', tags: ['mobile'] },
  { kind: 'SUGGESTION', category: 'branch', content: '建议网点增加周末营业时间。Please open branches longer at weekends.', tags: ['hours'] },
  { kind: 'SUGGESTION', category: 'app', content: '希望增加深色模式和大字体。Please add a dark mode and larger fonts.', tags: ['accessibility'] },
  { kind: 'PRAISE', category: 'branch', content: '柜员小刘服务非常耐心，点赞！The teller was very patient, thank you!', tags: [] },
  { kind: 'PRAISE', category: 'service', content: '客服电话很快解决了我的问题。The hotline solved my problem quickly.', tags: [] },
];
const CHANNELS: Channel[] = ['WEB', 'APP', 'APP', 'MINI_PROGRAM', 'BRANCH', 'PHONE', 'EMAIL'];
const PATHS: Array<{ weight: number; path: TicketStatus[] }> = [
  { weight: 30, path: ['SUBMITTED'] },
  { weight: 20, path: ['SUBMITTED', 'ACKNOWLEDGED'] },
  { weight: 20, path: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS'] },
  { weight: 7, path: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER'] },
  { weight: 13, path: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED'] },
  { weight: 10, path: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'] },
];
const REPLIES: Partial<Record<TicketStatus, string>> = {
  ACKNOWLEDGED: '已收到您的反馈，我们正在核实。We have received your feedback and are checking.',
  AWAITING_CUSTOMER: '请补充交易时间和金额。Please tell us the time and amount of the transaction.',
  RESOLVED: '问题已处理完毕，感谢您的耐心。It has been resolved, thank you for your patience.',
};
const INCIDENTS = 3;
const PER_INCIDENT = 5;

type EventRow = typeof timelineEvents.$inferInsert;

/** One transaction per BATCH tickets: a large volume (the console's 10,000-ticket test) stays in bounded memory. */
const BATCH = 1000;

export async function seedDemoVolume(db: Database, count = 300): Promise<number> {
  const r = rng(13);
  const now = Date.now();
  let people: Person[] = [];
  let done = 0;
  while (done < count) {
    const n = Math.min(BATCH, count - done);
    people = await db.transaction((tx) => seedBatch(tx, r, now, people, done, n));
    done += n;
  }
  // Fresh statistics for the planner: PGlite never analyses on its own (no autovacuum), and with the
  // estimates of an empty table it sorted every open ticket rather than walking the due-time index.
  await db.execute(sql`analyze tickets, feedback, customers, timeline_events`);
  return done;
}

interface Person { id: string; tierCode: string }

async function seedBatch(tx: Tx, r: ReturnType<typeof rng>, now: number, known: Person[], offset: number, count: number): Promise<Person[]> {
  {
    await lockTimeline(tx);
    const tierRows = await tx.select().from(tiers);
    const deptRows = await tx.select().from(departments);
    const staffRows = (await tx.select().from(staff)).filter((s) => s.active && ['AGENT', 'SENIOR', 'EXPERT'].includes(s.role));
    const policies = (await tx.select().from(slaPolicies)).map((p) => ({
      kind: p.kind, tierCode: p.tierCode, category: p.category, targets: { firstResponseMinutes: p.firstResponseMinutes, resolutionMinutes: p.resolutionMinutes },
    }));
    const rules = await loadRules(tx);
    const calendars = new Map<string, Awaited<ReturnType<typeof departmentCalendar>>>();
    for (const d of deptRows) calendars.set(d.id, await departmentCalendar(tx, d.id));

    const tierOf = (i: number) => tierRows.find((t) => t.code === (i % 10 === 0 ? 'PRIVATE_BANKING' : i % 4 === 0 ? 'VIP' : 'STANDARD'))!;
    const managers = staffRows.filter((s) => s.role !== 'AGENT');
    // A second call (another npm start's seed, a test adding more) reuses the demo customers already there.
    if (known.length === 0) {
      known = (await tx.select({ id: customers.id, tierCode: tiers.code }).from(customers).innerJoin(tiers, eq(tiers.id, customers.tierId))
        .where(like(customers.externalId, 'demo-crm-%')));
    }
    const fresh = known.length === 0 ? Array.from({ length: 120 }, (_, i) => {
      const tier = tierOf(i);
      return {
        id: randomUUID(), externalId: `demo-crm-${String(i + 1).padStart(4, '0')}`, name: `${r.pick(SURNAMES)}${r.pick(GIVEN)}`,
        phone: `+86 13${Math.floor(r.next() * 10)} ${String(Math.floor(r.next() * 1e4)).padStart(4, '0')} ${String(Math.floor(r.next() * 1e4)).padStart(4, '0')}`,
        email: r.chance(0.5) ? `customer${i + 1}@example.com` : null, tierId: tier.id, tierCode: tier.code,
        accountManagerId: tier.dedicatedManager && managers.length ? r.pick(managers).id : null,
      };
    }) : [];
    if (fresh.length) await tx.insert(customers).values(fresh.map(({ tierCode: _t, ...c }) => c));
    const people: Person[] = fresh.length ? fresh : known;

    const ticketRows: Array<typeof tickets.$inferInsert> = [];
    const feedbackRows: Array<typeof feedback.$inferInsert> = [];
    const events: EventRow[] = [];
    const totalWeight = PATHS.reduce((n, p) => n + p.weight, 0);
    for (let i = 0; i < count; i++) {
      const sample = r.pick(SAMPLES);
      const who = r.pick(people);
      const channel = r.pick(CHANNELS);
      let w = r.next() * totalWeight;
      const path = PATHS.find((p) => (w -= p.weight) < 0)!.path;
      const status = path.at(-1)!;
      // Spread over the last six days: some on track, some at risk, some past their deadlines.
      const receivedAt = new Date(now - Math.floor(r.next() ** 1.5 * 6 * 86_400_000));
      const route = routeFeedback(rules, { kind: sample.kind, category: sample.category, content: sample.content, tierCode: who.tierCode, channel });
      const departmentId = route.departmentCode;
      let level: EscalationLevel = route.level;
      const escalated = r.chance(0.1) && level !== 'L3';
      if (escalated) level = nextLevel(level);
      const handlers = staffRows.filter((s) => s.departmentId === departmentId && s.level === level);
      const assigneeId = status !== 'SUBMITTED' || r.chance(0.5) ? (handlers.length ? r.pick(handlers).id : null) : null;
      const base = resolvePolicy(policies, sample.kind, who.tierCode, sample.category)?.targets ?? null;
      const targets = effectiveTargets([base], route.priority);
      const step = (k: number) => new Date(Math.min(now - 60_000, receivedAt.getTime() + k * (1 + r.next()) * 3_600_000));
      const at = path.map((_, k) => step(k));
      const id = randomUUID();
      const draft = {
        ...EMPTY_TICKET, id, status, kind: sample.kind, channel, customerId: who.id, priority: route.priority, departmentId, assigneeId, level,
        receivedAt, calendarId: calendars.get(departmentId)?.calendarId ?? null,
        slaFirstResponseMinutes: targets?.firstResponseMinutes ?? null, slaResolutionMinutes: targets?.resolutionMinutes ?? null,
        firstRespondedAt: path.length > 1 ? at[1]! : null,
        resolvedAt: path.includes('RESOLVED') ? at[path.indexOf('RESOLVED')]! : null,
        closedAt: status === 'CLOSED' ? at.at(-1)! : null,
        slaPauses: status === 'AWAITING_CUSTOMER' ? [{ from: at.at(-1)!.toISOString(), to: null }] : [],
        createdAt: receivedAt, updatedAt: at.at(-1)!,
      };
      ticketRows.push({ ...draft, ...schedule(draft, calendars.get(departmentId)?.calendar ?? null, new Date(now)) });
      // Incidents: the first tickets gather several customers' reports of the same outage.
      const incident = offset + i < INCIDENTS;
      const reporters = incident ? PER_INCIDENT : 1;
      for (let k = 0; k < reporters; k++) {
        const fid = randomUUID();
        const customer = k === 0 ? who : r.pick(people);
        const own: EventRow[] = [];
        const add = (e: Omit<EventRow, 'feedbackId' | 'ticketId' | 'position'>) => own.push({ ...e, feedbackId: fid, ticketId: id, position: own.length + 1 });
        add({ type: 'SUBMITTED', visibility: 'PUBLIC', toStatus: 'SUBMITTED', actorType: 'CUSTOMER', actorId: customer.id, actorName: null, createdAt: receivedAt });
        if (k > 0) add({ type: 'MERGED', visibility: 'PUBLIC', body: '您的反馈已与相关反馈合并处理。Your feedback is now handled together with related reports as one case.', actorType: 'SYSTEM', actorId: null, actorName: null, createdAt: receivedAt });
        if (escalated) add({ type: 'ESCALATED', visibility: 'INTERNAL', body: 'Needs a senior decision.', actorType: 'SYSTEM', actorId: null, actorName: null, createdAt: at[0]! });
        for (let s = 1; s < path.length; s++) {
          add({ type: 'STATUS_CHANGED', visibility: 'PUBLIC', fromStatus: path[s - 1]!, toStatus: path[s]!, body: REPLIES[path[s]!] ?? null, actorType: 'STAFF', actorId: assigneeId, actorName: '客服 1024', createdAt: at[s]! });
          if (s === 2) add({ type: 'INTERNAL_NOTE', visibility: 'INTERNAL', body: 'Checked the transaction log; waiting for the branch.', actorType: 'STAFF', actorId: assigneeId, actorName: null, createdAt: at[s]! });
        }
        events.push(...own);
        feedbackRows.push({
          id: fid, trackingCode: makeTrackingCode((n) => randomBytes(n)), kind: sample.kind, channel, customerId: customer.id, ticketId: id,
          content: incident ? `人民路 ATM 故障，无法取款（第 ${k + 1} 位客户）。The Renmin Road ATM is out of order.` : sample.content,
          category: incident ? 'atm' : sample.category, tags: sample.tags, receivedAt,
          slaFirstResponseMinutes: base?.firstResponseMinutes ?? null, slaResolutionMinutes: base?.resolutionMinutes ?? null,
          firstRespondedAt: draft.firstRespondedAt, lastPosition: own.length, createdAt: receivedAt,
        });
      }
    }
    const chunk = async <T>(rows: T[], size: number, insert: (part: T[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
    };
    await chunk(ticketRows, 500, (p) => tx.insert(tickets).values(p));
    await chunk(feedbackRows, 500, (p) => tx.insert(feedback).values(p));
    await chunk(events, 2000, (p) => tx.insert(timelineEvents).values(p));
    return people;
  }
}
