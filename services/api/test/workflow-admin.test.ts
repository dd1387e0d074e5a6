// Admin management of business calendars and SLA policies through GraphQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { FIXED_DATES } from './helpers.ts';

let env: TestEnv;
let admin: string;
const iso = (s: string) => new Date(s).toISOString();

const CAL = '__typename ... on BusinessCalendar { id code timeZone isDefault holidays workingDays weeklyHours { weekday intervals { start end } } } ... on ValidationError { fieldErrors { path code } } ... on Error { code }';

beforeAll(async () => {
  env = await setup(FIXED_DATES);
  admin = (await env.staffToken('ADMIN', null)).token;
});
afterAll(() => env.close());

describe('business calendars', () => {
  it('seeds the mainland China 2026 calendar as the default and computes with it', async () => {
    const r = await env.gql(`{ businessCalendars {
      code timeZone isDefault holidays workingDays weeklyHours { weekday intervals { start end } }
      nationalDay: workingPeriodsOn(date: "2026-10-03") { start }
      makeup: workingPeriodsOn(date: "2026-10-10") { start end }
      due: addBusinessMinutes(from: "2026-09-30T02:00:00Z", minutes: 1440)
    } }`, {}, bearer(admin));
    const [cal] = r.data.businessCalendars;
    expect(cal).toMatchObject({ code: 'CN_MAINLAND', timeZone: 'Asia/Shanghai', isDefault: true, nationalDay: [], due: iso('2026-10-10T10:00+08:00') });
    expect(cal.holidays).toHaveLength(33);
    expect(cal.workingDays).toContain('2026-10-10');
    expect(cal.weeklyHours[0]).toEqual({ weekday: 1, intervals: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }] });
    expect(cal.weeklyHours[6]).toEqual({ weekday: 7, intervals: [] });
    expect(cal.makeup).toEqual([
      { start: iso('2026-10-10T09:00+08:00'), end: iso('2026-10-10T12:00+08:00') },
      { start: iso('2026-10-10T13:00+08:00'), end: iso('2026-10-10T18:00+08:00') },
    ]);
  });

  it('creates a calendar, reporting every invalid field with its path', async () => {
    const create = (input: Record<string, unknown>) => env.gql(`mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { ${CAL} } }`, { i: input }, bearer(admin));
    const bad = await create({
      code: 'LONDON', timeZone: 'Europe/Londres', holidays: ['2026-12-25', '2026-02-30'],
      weeklyHours: [{ weekday: 2, intervals: [{ start: '13:00', end: '17:00' }, { start: '09:00', end: '13:30' }] }, { weekday: 3, intervals: [{ start: '9:00', end: '17:00' }] }],
    });
    expect(bad.data.createBusinessCalendar).toEqual({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fieldErrors: [
        { path: ['input', 'timeZone'], code: 'INVALID_TIME_ZONE' },
        { path: ['input', 'weeklyHours', '0', 'intervals', '1'], code: 'OVERLAP' },
        { path: ['input', 'weeklyHours', '1', 'intervals', '0', 'start'], code: 'INVALID_TIME' },
        { path: ['input', 'holidays', '1'], code: 'INVALID_DATE' },
      ],
    });
    const ok = await create({
      code: 'LONDON', name: 'London office', timeZone: 'Europe/London', holidays: ['2026-12-25'],
      weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, intervals: [{ start: '09:00', end: '17:00' }] })),
    });
    expect(ok.data.createBusinessCalendar).toMatchObject({ __typename: 'BusinessCalendar', code: 'LONDON', isDefault: false });
    // across the autumn DST change: Friday 16:00 BST + 2 business hours = Monday 10:00 GMT
    const due = await env.gql('query($id: ID!) { node(id: $id) { ... on BusinessCalendar { addBusinessMinutes(from: "2026-10-23T15:00:00Z", minutes: 120) } } }', { id: ok.data.createBusinessCalendar.id }, bearer(admin));
    expect(due.data.node.addBusinessMinutes).toBe('2026-10-26T10:00:00.000Z');
    expect((await create({ code: 'LONDON', weeklyHours: [{ weekday: 1, intervals: [{ start: '09:00', end: '17:00' }] }] })).data.createBusinessCalendar.__typename).toBe('ConflictError');
    // Make-up days' hours: omitted on update keeps them, null goes back to Monday's.
    const update = async (input: Record<string, unknown>) => (await env.gql(`mutation($i: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $i) { ... on BusinessCalendar { makeupHours { start end } } ... on Error { code } } }`,
      { i: { id: ok.data.createBusinessCalendar.id, ...input } }, bearer(admin))).data.updateBusinessCalendar;
    expect(await update({ makeupHours: [{ start: '10:00', end: '15:00' }] })).toEqual({ makeupHours: [{ start: '10:00', end: '15:00' }] });
    expect(await update({ name: 'London' })).toEqual({ makeupHours: [{ start: '10:00', end: '15:00' }] });
    expect(await update({ makeupHours: null })).toEqual({ makeupHours: null });
    const agent = await env.gql(`mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { ${CAL} } }`, { i: { code: 'X' } }, bearer((await env.staffToken('AGENT')).token));
    expect(agent.data.createBusinessCalendar.__typename).toBe('ForbiddenError');
  });

  it('a new holiday moves the due times of open tickets on the calendar', async () => {
    const sup = (await env.staffToken('SUPERVISOR')).token;
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content: 'the queue was too long', receivedAt: iso('2026-11-16T09:00+08:00') } }, bearer(sup));
    const code = s.data.submitFeedback.trackingCode;
    const due = async () => (await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { expectedResolutionAt ticket { firstResponseDueAt } } }', { c: code }, bearer(sup))).data.trackFeedback;
    expect(await due()).toEqual({ expectedResolutionAt: iso('2026-11-18T18:00+08:00'), ticket: { firstResponseDueAt: iso('2026-11-16T18:00+08:00') } });
    const list = await env.gql('{ businessCalendars { id isDefault holidays } }', {}, bearer(admin));
    const def = list.data.businessCalendars.find((c: { isDefault: boolean }) => c.isDefault);
    const upd = await env.gql(`mutation($i: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $i) { ${CAL} } }`,
      { i: { id: def.id, holidays: [...def.holidays, '2026-11-17'] } }, bearer(admin));
    expect(upd.data.updateBusinessCalendar.holidays).toContain('2026-11-17');
    expect(await due()).toEqual({ expectedResolutionAt: iso('2026-11-19T18:00+08:00'), ticket: { firstResponseDueAt: iso('2026-11-16T18:00+08:00') } });
    const unset = await env.gql(`mutation($i: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $i) { ${CAL} } }`, { i: { id: def.id, isDefault: false } }, bearer(admin));
    expect(unset.data.updateBusinessCalendar.fieldErrors).toEqual([{ path: ['input', 'isDefault'], code: 'DEFAULT_REQUIRED' }]);
  });
});

describe('SLA policies', () => {
  const POLICY = '__typename ... on SlaPolicy { id kind tierCode category firstResponseMinutes resolutionMinutes } ... on ValidationError { fieldErrors { path code } }';

  it('lists the seeded kind × tier policies', async () => {
    const r = await env.gql('{ slaPolicies { kind tierCode category firstResponseMinutes resolutionMinutes } }', {}, bearer(admin));
    expect(r.data.slaPolicies).toHaveLength(16);
    expect(r.data.slaPolicies).toContainEqual({ kind: 'COMPLAINT', tierCode: 'VIP', category: null, firstResponseMinutes: 240, resolutionMinutes: 720 });
    expect(r.data.slaPolicies).toContainEqual({ kind: 'SUGGESTION', tierCode: null, category: null, firstResponseMinutes: 480, resolutionMinutes: 2400 });
  });

  it('a category policy applies to the next submission; base policies cannot be deleted', async () => {
    const set = (i: Record<string, unknown>) => env.gql(`mutation($i: SetSlaPolicyInput!) { setSlaPolicy(input: $i) { ${POLICY} } }`, { i }, bearer(admin));
    const bad = await set({ kind: 'COMPLAINT', tierCode: 'GOLD', firstResponseMinutes: 0, resolutionMinutes: 60 });
    expect(bad.data.setSlaPolicy.fieldErrors).toEqual([{ path: ['input', 'firstResponseMinutes'], code: 'OUT_OF_RANGE' }, { path: ['input', 'tierCode'], code: 'NOT_FOUND' }]);
    const late = await set({ kind: 'COMPLAINT', firstResponseMinutes: 600, resolutionMinutes: 60 });
    expect(late.data.setSlaPolicy.fieldErrors).toEqual([{ path: ['input', 'firstResponseMinutes'], code: 'AFTER_RESOLUTION' }]);
    const atm = await set({ kind: 'COMPLAINT', category: 'ATM', firstResponseMinutes: 60, resolutionMinutes: 240 });
    expect(atm.data.setSlaPolicy).toMatchObject({ __typename: 'SlaPolicy', tierCode: null, category: 'ATM' });
    const again = await set({ kind: 'COMPLAINT', category: 'ATM', firstResponseMinutes: 60, resolutionMinutes: 300 });
    expect(again.data.setSlaPolicy.id).toBe(atm.data.setSlaPolicy.id); // replaced, not duplicated

    const sup = (await env.staffToken('SUPERVISOR')).token;
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', category: 'ATM', content: 'the ATM kept my card', receivedAt: iso('2026-11-16T09:00+08:00') } }, bearer(sup));
    const t = await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { ticket { firstResponseDueAt resolutionDueAt } } }', { c: s.data.submitFeedback.trackingCode }, bearer(sup));
    expect(t.data.trackFeedback.ticket).toEqual({ firstResponseDueAt: iso('2026-11-16T10:00+08:00'), resolutionDueAt: iso('2026-11-16T15:00+08:00') });

    const list = await env.gql('{ slaPolicies { id kind tierCode category } }', {}, bearer(admin));
    const base = list.data.slaPolicies.find((p: { kind: string; tierCode: null; category: null }) => p.kind === 'COMPLAINT' && !p.tierCode && !p.category);
    const del = (id: string) => env.gql('mutation($i: DeleteSlaPolicyInput!) { deleteSlaPolicy(input: $i) { __typename ... on ValidationError { fieldErrors { code } } } }', { i: { id } }, bearer(admin));
    expect((await del(base.id)).data.deleteSlaPolicy).toEqual({ __typename: 'ValidationError', fieldErrors: [{ code: 'BASE_POLICY' }] });
    expect((await del(atm.data.setSlaPolicy.id)).data.deleteSlaPolicy.__typename).toBe('DeletedPayload');
  });
});

describe('department calendars', () => {
  it("moves a department's open tickets to its own calendar", async () => {
    const sup = (await env.staffToken('SUPERVISOR')).token;
    const s = await env.gql(SUBMIT, { input: { kind: 'SUGGESTION', channel: 'PHONE', content: 'please add a dark mode', receivedAt: iso('2026-11-16T09:00+08:00') } }, bearer(sup));
    const code = s.data.submitFeedback.trackingCode;
    const track = async () => (await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { ticket { resolutionDueAt department { id code } calendar { code } } } }', { c: code }, bearer(sup))).data.trackFeedback.ticket;
    const before = await track();
    expect(before).toMatchObject({ department: { code: 'PRODUCT' }, calendar: { code: 'CN_MAINLAND' } });
    const cal = await env.gql(`mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { ${CAL} } }`, {
      i: { code: 'ROUND_THE_CLOCK', timeZone: 'Asia/Shanghai', weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, intervals: [{ start: '00:00', end: '24:00' }] })) },
    }, bearer(admin));
    const r = await env.gql('mutation($i: SetDepartmentCalendarInput!) { setDepartmentCalendar(input: $i) { __typename ... on Department { code calendar { code } } } }',
      { i: { departmentId: before.department.id, calendarId: cal.data.createBusinessCalendar.id } }, bearer(admin));
    expect(r.data.setDepartmentCalendar).toEqual({ __typename: 'Department', code: 'PRODUCT', calendar: { code: 'ROUND_THE_CLOCK' } });
    // 2400 business minutes round the clock = 40 hours
    expect(await track()).toMatchObject({ calendar: { code: 'ROUND_THE_CLOCK' }, resolutionDueAt: iso('2026-11-18T01:00+08:00') });
  });
});

describe('seeding', () => {
  it("runs on every start without bringing back what an admin deleted or changed", async () => {
    const { seedBase } = await import('../src/seed.ts');
    const before = await env.gql('{ routingRules { id name } slaPolicies { id } }', {}, bearer(admin));
    const fraud = before.data.routingRules.find((r: { name: string }) => r.name.startsWith('Fraud'));
    await env.gql('mutation($i: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $i) { __typename } }', { i: { id: fraud.id } }, bearer(admin));
    await seedBase(env.handle.db);
    const after = await env.gql('{ routingRules { id name } slaPolicies { id } }', {}, bearer(admin));
    expect(after.data.routingRules).toHaveLength(before.data.routingRules.length - 1);
    expect(after.data.slaPolicies).toHaveLength(before.data.slaPolicies.length);
    expect((await env.gql('{ businessCalendars { isDefault } }', {}, bearer(admin))).data.businessCalendars.filter((c: { isDefault: boolean }) => c.isDefault)).toHaveLength(1);
  });
});
