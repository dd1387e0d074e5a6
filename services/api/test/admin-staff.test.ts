// Staff and department administration through the API (issue 13): roles, typed errors, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { auditLog } from '@closeloop/db';
import { bearer, setup, type TestEnv } from './helpers.ts';
import { verifyAuditChain } from '../src/services/audit.ts';

let env: TestEnv;
let admin: { token: string; id: string };
let auditor: string;
let supervisor: string;
let agent: string;

const RESULT = `__typename ... on Staff { id email name displayName role level active department { code } }
  ... on ValidationError { fieldErrors { path code } } ... on Error { code }`;
const CREATE = `mutation($i: CreateStaffInput!) { createStaff(input: $i) { __typename
  ... on StaffInitialPasswordPayload { initialPassword staff { id email name displayName role level mustChangePassword department { code } } }
  ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;
const UPDATE = `mutation($i: UpdateStaffInput!) { updateStaff(input: $i) { ${RESULT} } }`;
const DEPT = `__typename ... on Department { id code name } ... on ValidationError { fieldErrors { path code } } ... on Error { code }`;

const lastAudit = async (n = 1) => env.handle.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(n);

beforeAll(async () => {
  env = await setup();
  admin = await env.staffToken('ADMIN', null);
  auditor = (await env.staffToken('AUDITOR', null)).token;
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  agent = (await env.staffToken('AGENT')).token;
});
afterAll(() => env.close());

describe('departments', () => {
  it('are created and renamed by admins, with typed errors and an audit entry', async () => {
    const bad = await env.gql(`mutation { createDepartment(input: { code: "risk dept", name: "" }) { ${DEPT} } }`, {}, bearer(admin.token));
    expect(bad.data.createDepartment.fieldErrors).toEqual([{ path: ['input', 'code'], code: 'INVALID' }, { path: ['input', 'name'], code: 'REQUIRED' }]);
    const made = await env.gql(`mutation { createDepartment(input: { code: "WEALTH", name: "Wealth management" }) { ${DEPT} } }`, {}, bearer(admin.token));
    expect(made.data.createDepartment).toMatchObject({ __typename: 'Department', code: 'WEALTH' });
    const [entry] = await lastAudit();
    expect(entry).toMatchObject({ action: 'department.create', actorType: 'STAFF', actorId: admin.id, targetType: 'Department' });
    const dup = await env.gql(`mutation { createDepartment(input: { code: "WEALTH", name: "Again" }) { ${DEPT} } }`, {}, bearer(admin.token));
    expect(dup.data.createDepartment.code).toBe('CONFLICT');
    const renamed = await env.gql(`mutation($i: UpdateDepartmentInput!) { updateDepartment(input: $i) { ${DEPT} } }`, { i: { id: made.data.createDepartment.id, name: 'Wealth' } }, bearer(admin.token));
    expect(renamed.data.updateDepartment).toMatchObject({ code: 'WEALTH', name: 'Wealth' });
    for (const token of [supervisor, auditor, agent]) {
      const refused = await env.gql(`mutation { createDepartment(input: { code: "NOPE", name: "No" }) { ${DEPT} } }`, {}, bearer(token));
      expect(refused.data.createDepartment.code).toBe('FORBIDDEN');
    }
  });
});

describe('staff', () => {
  it('createStaff validates every field, then returns a one-time password once', async () => {
    const bad = await env.gql(CREATE, { i: { email: 'not-an-email', role: 'AGENT', departmentId: 'RGVwYXJ0bWVudDox', displayName: 'x'.repeat(41) } }, bearer(admin.token));
    expect(bad.data.createStaff.__typename).toBe('ValidationError');
    expect(bad.data.createStaff.fieldErrors.map((e: any) => e.path.at(-1))).toEqual(['departmentId']);
    const bad2 = await env.gql(CREATE, { i: { email: 'not-an-email', role: 'AGENT', displayName: 'x'.repeat(41) } }, bearer(admin.token));
    expect(bad2.data.createStaff.fieldErrors).toEqual([{ path: ['input', 'email'], code: 'INVALID' }, { path: ['input', 'displayName'], code: 'INVALID' }]);

    const depts = (await env.gql('{ departments { id code } }', {}, bearer(admin.token))).data.departments;
    const credit = depts.find((d: any) => d.code === 'CREDIT').id;
    const r = await env.gql(CREATE, { i: { email: 'Li.Ming@Bank.test', name: '李明', displayName: '客服 1024', role: 'SENIOR', departmentId: credit } }, bearer(admin.token));
    expect(r.data.createStaff).toMatchObject({
      __typename: 'StaffInitialPasswordPayload',
      staff: { email: 'li.ming@bank.test', name: '李明', displayName: '客服 1024', role: 'SENIOR', level: 'L2', mustChangePassword: true, department: { code: 'CREDIT' } },
    });
    const [entry] = await lastAudit();
    expect(entry).toMatchObject({ action: 'staff.create', targetId: expect.any(String) });
    expect(JSON.stringify(entry!.data)).not.toContain(r.data.createStaff.initialPassword);
    const dup = await env.gql(CREATE, { i: { email: 'li.ming@bank.test', role: 'AGENT' } }, bearer(admin.token));
    expect(dup.data.createStaff.code).toBe('CONFLICT');
  });

  it('updateStaff changes name, display name, role, department and level', async () => {
    const { id } = await env.staffToken('AGENT');
    const { encodeGlobalID } = await import('@pothos/plugin-relay');
    const gid = encodeGlobalID('Staff', id);
    const r = await env.gql(UPDATE, { i: { id: gid, name: 'Wang Fang', displayName: '客服 2048', role: 'EXPERT', level: 'L3', departmentId: null } }, bearer(admin.token));
    expect(r.data.updateStaff).toMatchObject({ name: 'Wang Fang', displayName: '客服 2048', role: 'EXPERT', level: 'L3', department: null });
    expect((await lastAudit())[0]).toMatchObject({ action: 'staff.update', targetId: id });
    const bad = await env.gql(UPDATE, { i: { id: 'nonsense' } }, bearer(admin.token));
    expect(bad.data.updateStaff.fieldErrors).toEqual([{ path: ['input', 'id'], code: 'MALFORMED_ID' }]);
    expect((await env.gql(UPDATE, { i: { id: gid, name: 'x' } }, bearer(supervisor))).data.updateStaff.code).toBe('FORBIDDEN');
  });

  it('keeps at least one active admin, and nobody deactivates themselves', async () => {
    const { encodeGlobalID } = await import('@pothos/plugin-relay');
    const self = encodeGlobalID('Staff', admin.id);
    const r = await env.gql(`mutation($i: DeactivateStaffInput!) { deactivateStaff(input: $i) { ${RESULT} } }`, { i: { id: self } }, bearer(admin.token));
    expect(r.data.deactivateStaff.code).toBe('FORBIDDEN');
    const demote = await env.gql(UPDATE, { i: { id: self, role: 'SUPERVISOR' } }, bearer(admin.token));
    expect(demote.data.updateStaff.code).toBe('CONFLICT');
  });

  it('admins, supervisors and auditors see account states; auditors change nothing', async () => {
    const list = await env.gql('{ staffMembers { email mustChangePassword createdAt } }', {}, bearer(auditor));
    expect(list.data.staffMembers.find((s: any) => s.email === 'li.ming@bank.test')).toMatchObject({ mustChangePassword: true });
    const agentView = await env.gql('{ staffMembers { email mustChangePassword } }', {}, bearer(agent));
    expect(agentView.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const refused = await env.gql(CREATE, { i: { email: 'x@bank.test', role: 'AGENT' } }, bearer(auditor));
    expect(refused.data.createStaff.code).toBe('FORBIDDEN');
  });

  it('every admin change is on the intact audit chain', async () => {
    const rows = await env.handle.db.select().from(auditLog).orderBy(auditLog.id);
    expect(verifyAuditChain(rows)).toBe(-1);
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['department.create', 'department.update', 'staff.create', 'staff.update']) expect(actions).toContain(a);
  });
});
