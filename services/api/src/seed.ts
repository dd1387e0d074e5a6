import { eq, inArray, sql } from 'drizzle-orm';
import { channelApps, customers, departments, staff, tiers, type Database } from '@closeloop/db';
import type { Identity } from './auth/identity.ts';
import { decryptSecret, deriveKey } from './auth/keys.ts';
import { createChannel, createStaff } from './admin.ts';
import type { Services } from './services/index.ts';
import { seedWorkflow } from './workflow-seed.ts';

export const DEMO_PASSWORD = 'closeloop-demo';
export const DEMO_CHANNEL_KEY = 'pk_web_demo';

export const BASE_TIERS = [
  { code: 'PRIVATE_BANKING', name: '私人银行 Private banking', rank: 30, dedicatedManager: true },
  { code: 'VIP', name: '贵宾 VIP', rank: 20, dedicatedManager: true },
  { code: 'STANDARD', name: '普通 Standard', rank: 10, dedicatedManager: false },
];
export const BASE_DEPARTMENTS = [
  { code: 'CUSTOMER_SERVICE', name: '客户服务部 Customer service' },
  { code: 'CREDIT', name: '信贷部 Credit' },
  { code: 'RISK', name: '风险管理部 Risk' },
  { code: 'PRODUCT', name: '产品部 Product' },
];

/** Reference data every deployment needs; idempotent. */
export async function seedBase(db: Database): Promise<void> {
  await db.insert(tiers).values(BASE_TIERS).onConflictDoNothing({ target: tiers.code });
  await db.insert(departments).values(BASE_DEPARTMENTS).onConflictDoNothing({ target: departments.code });
  await seedWorkflow(db);
}

export async function isEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(channelApps);
  return (row?.n ?? 0) === 0;
}

const DEMO_STAFF = [
  { email: 'agent@demo.closeloop.dev', name: '王芳 Wang Fang', role: 'AGENT', department: 'CUSTOMER_SERVICE' },
  { email: 'senior@demo.closeloop.dev', name: '李强 Li Qiang', role: 'SENIOR', department: 'CUSTOMER_SERVICE' },
  { email: 'credit.agent@demo.closeloop.dev', name: '赵敏 Zhao Min', role: 'AGENT', department: 'CREDIT' },
  { email: 'expert@demo.closeloop.dev', name: '陈伟 Chen Wei', role: 'EXPERT', department: 'CREDIT' },
  { email: 'supervisor@demo.closeloop.dev', name: '刘洋 Liu Yang', role: 'SUPERVISOR', department: 'CUSTOMER_SERVICE' },
  { email: 'admin@demo.closeloop.dev', name: 'Admin', role: 'ADMIN', department: null },
  { email: 'auditor@demo.closeloop.dev', name: '审计 Auditor', role: 'AUDITOR', department: null },
] as const;

export interface DemoInfo {
  publishableKey: string;
  signingSecret: string | null;
  staff: Array<{ email: string; role: string; token: string }>;
}

/** Demo institution: a web channel, staff for every role, customers and feedback in several states. */
export async function seedDemo(db: Database, identity: Identity, services: Services): Promise<void> {
  await seedBase(db);
  const [existing] = await db.select().from(channelApps).where(eq(channelApps.publishableKey, DEMO_CHANNEL_KEY)).limit(1);
  if (existing) return;
  const { channel } = await createChannel(db, identity, { name: 'Demo website', kind: 'WEB', publishableKey: DEMO_CHANNEL_KEY });
  await createChannel(db, identity, { name: 'Demo mobile app', kind: 'APP', publishableKey: 'pk_app_demo' });
  await createChannel(db, identity, { name: 'Demo mini-program', kind: 'MINI_PROGRAM', publishableKey: 'pk_mini_demo' });
  const members: Record<string, string> = {};
  for (const s of DEMO_STAFF) {
    const { staff: row } = await createStaff(db, identity, { ...s, password: DEMO_PASSWORD });
    members[s.role + (s.department ?? '')] = row.id;
  }
  const tierIds = Object.fromEntries((await db.select().from(tiers)).map((t) => [t.code, t.id]));
  const [vip, priv] = await db
    .insert(customers)
    .values([
      { externalId: 'demo-cust-001', name: '张伟 Zhang Wei', phone: '+86 138 0000 0001', tierId: tierIds.VIP, accountManagerId: members.EXPERTCREDIT },
      { externalId: 'demo-cust-002', name: '李娜 Li Na', email: 'li.na@example.com', tierId: tierIds.PRIVATE_BANKING, accountManagerId: members.SENIORCUSTOMER_SERVICE },
      { externalId: 'demo-cust-003', name: '王磊 Wang Lei', tierId: tierIds.STANDARD },
    ])
    .returning();
  const asCustomer = (c: typeof vip) => ({ kind: 'CUSTOMER' as const, channel, customer: c! });
  const supervisor = (await db.select().from(staff).where(eq(staff.role, 'SUPERVISOR')).limit(1))[0]!;
  const asStaff = { kind: 'STAFF' as const, staff: supervisor };

  const a = await services.feedback.submit(asCustomer(vip), { kind: 'COMPLAINT', category: 'loan', content: '房贷提前还款申请提交两周了还没有回复。My early mortgage repayment request has had no answer for two weeks.' });
  const b = await services.feedback.submit(asCustomer(priv), { kind: 'SUGGESTION', category: 'app', content: '希望手机银行支持批量转账。Please support batch transfers in the mobile app.' });
  const c = await services.feedback.submit(asCustomer(vip), { kind: 'PRAISE', category: 'branch', content: '人民路支行的柜员服务非常耐心。The teller at the Renmin Road branch was very patient.' });
  await services.feedback.submit({ kind: 'ANONYMOUS', channel }, { kind: 'INQUIRY', content: 'ATM 吞卡后多久可以取回？How soon can I get my card back after the ATM kept it?' });
  await services.tickets.transition(asStaff, a.feedback.ticketId, 'ACKNOWLEDGED', '已收到，我们正在核实。We have received it and are checking.');
  await services.tickets.addNote(asStaff, a.feedback.ticketId, 'Checked with the credit department: the request is stuck in review.', 'INTERNAL');
  await services.tickets.transition(asStaff, a.feedback.ticketId, 'IN_PROGRESS');
  await services.tickets.transition(asStaff, b.feedback.ticketId, 'ACKNOWLEDGED');
  await services.tickets.transition(asStaff, c.feedback.ticketId, 'RESOLVED', '感谢您的表扬，我们已转达。Thank you, we passed it on.');
}

export async function demoInfo(db: Database, identity: Identity, secretKey: Buffer): Promise<DemoInfo | null> {
  const [ch] = await db.select().from(channelApps).where(eq(channelApps.publishableKey, DEMO_CHANNEL_KEY)).limit(1);
  if (!ch) return null;
  const secret = ch.signingSecretEnc ? decryptSecret(deriveKey(secretKey, 'channel-secret'), ch.signingSecretEnc) : null;
  const out: DemoInfo['staff'] = [];
  for (const s of DEMO_STAFF) {
    const [row] = await db.select().from(staff).where(eq(staff.email, s.email)).limit(1);
    if (row) out.push({ email: s.email, role: s.role, token: (await identity.issueStaffToken(row)).token });
  }
  return { publishableKey: ch.publishableKey, signingSecret: secret, staff: out };
}

/**
 * The demo channels' registered origins: the address `npm start` serves the demo pages on (its port is
 * known only once it listens, and may change between starts). Same-origin calls need no CORS; these
 * let a page on the other loopback name (localhost vs 127.0.0.1) call too, as a host's page would.
 */
export async function seedDemoOrigins(db: Database, port: number): Promise<void> {
  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  await db.update(channelApps).set({ allowedOrigins: origins }).where(inArray(channelApps.publishableKey, [DEMO_CHANNEL_KEY, 'pk_app_demo', 'pk_mini_demo']));
}
