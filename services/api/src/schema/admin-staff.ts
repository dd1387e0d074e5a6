// Staff administration through the API (issue 13) and a staff member's own session (issue 10):
// createStaff, updateStaff, deactivateStaff, resetStaffPassword, revokeStaffSessions, logout, changePassword.
import type { StaffRole } from '@closeloop/domain';
import { builder } from './builder.ts';
import { EscalationLevelEnum, StaffRoleEnum } from './enums.ts';
import { AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.ts';
import { inputId } from './ids.ts';
import { StaffRef } from './directory.ts';
import { actorOf } from '../services/feedback.ts';
import type { StaffRow } from '../auth/identity.ts';

export const ADMIN: { staffRole: StaffRole[] } = { staffRole: ['ADMIN'] };
export const ADMIN_OR_SUPERVISOR: { staffRole: StaffRole[] } = { staffRole: ['ADMIN', 'SUPERVISOR'] };
/** Who may read administration records: admins, supervisors and auditors (read-only). */
export const ADMIN_READERS: { staffRole: StaffRole[] } = { staffRole: ['ADMIN', 'SUPERVISOR', 'AUDITOR'] };

export const adminErrors = (name: string) => ({
  types: [ValidationError, NotFoundError, ForbiddenError, ConflictError], directResult: true as const, union: { name },
});

builder.drizzleObjectFields(StaffRef, (t) => ({
  displayName: t.exposeString('displayName', { nullable: true, description: 'What customers see on public events (e.g. "客服 1024"); null = a neutral label.' }),
  mustChangePassword: t.exposeBoolean('mustChangePassword', {
    nullable: true, authScopes: ADMIN_READERS,
    description: 'The member signs in with a one-time password and must choose their own before doing anything else.',
  }),
  deactivatedAt: t.expose('deactivatedAt', { type: 'DateTime', nullable: true, authScopes: ADMIN_READERS }),
  passwordChangedAt: t.expose('passwordChangedAt', { type: 'DateTime', nullable: true, authScopes: ADMIN_READERS }),
  createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, authScopes: ADMIN_READERS }),
}));

const CreateStaffInput = builder.inputType('CreateStaffInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    name: t.string({ description: 'Internal name; default: the part of the e-mail before @.' }),
    displayName: t.string({ description: 'What customers see on public events.' }),
    role: t.field({ type: StaffRoleEnum, required: true }),
    departmentId: t.id({ description: 'Required for AGENT, SENIOR and EXPERT to see any tickets.' }),
    level: t.field({ type: EscalationLevelEnum, description: 'Default by role: AGENT L1, SENIOR L2, EXPERT/SUPERVISOR/ADMIN L3.' }),
  }),
});
const UpdateStaffInput = builder.inputType('UpdateStaffInput', {
  description: 'Fields given replace the stored ones; `departmentId: null` removes the department.',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    displayName: t.string({ description: 'null or "" clears it.' }),
    role: t.field({ type: StaffRoleEnum }),
    departmentId: t.id(),
    level: t.field({ type: EscalationLevelEnum }),
  }),
});
const StaffIdInput = (name: string) => builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true }) }) });
const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({ currentPassword: t.string({ required: true }), newPassword: t.string({ required: true, description: 'At least 12 characters, different from the current one.' }) }),
});

const StaffSecretPayload = builder.objectRef<{ staff: StaffRow; initialPassword: string }>('StaffInitialPasswordPayload').implement({
  description: 'The one-time password is shown here once and never again; the member must change it at first login.',
  fields: (t) => ({
    staff: t.field({ type: StaffRef, resolve: (p) => p.staff as never }),
    initialPassword: t.exposeString('initialPassword'),
  }),
});
const SessionPayload = builder.objectRef<{ token: string; expiresAt: Date; staff: StaffRow }>('ChangePasswordPayload').implement({
  description: 'Every other session has ended; continue with this new token.',
  fields: (t) => ({
    token: t.exposeString('token'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    staff: t.field({ type: StaffRef, resolve: (p) => p.staff as never }),
  }),
});
const LogoutPayload = builder.objectRef<{ staff: StaffRow }>('LogoutPayload').implement({
  description: "Every session of the member has ended (this token included), on every device.",
  fields: (t) => ({ signedOut: t.boolean({ resolve: () => true }) }),
});

const departmentArg = (id: string | null | undefined) => (id == null ? id : inputId(id, 'Department', ['input', 'departmentId']));

builder.mutationFields((t) => ({
  createStaff: t.field({
    type: StaffSecretPayload, authScopes: ADMIN, errors: adminErrors('CreateStaffResult'),
    description: 'Creates a staff member with a one-time initial password (returned once) to be changed at first login.',
    args: { input: t.arg({ type: CreateStaffInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const r = await ctx.services.staff.create(actorOf(ctx.viewer), { ...input, departmentId: departmentArg(input.departmentId) });
      return { staff: r.staff, initialPassword: r.initialPassword! };
    },
  }),
  updateStaff: t.field({
    type: StaffRef, authScopes: ADMIN, errors: adminErrors('UpdateStaffResult'),
    args: { input: t.arg({ type: UpdateStaffInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.staff.update(ctx.viewer, inputId(input.id, 'Staff', ['input', 'id']), {
      ...input, departmentId: departmentArg(input.departmentId),
    }) as never,
  }),
  deactivateStaff: t.field({
    type: StaffRef, authScopes: ADMIN, errors: adminErrors('DeactivateStaffResult'),
    description: 'The member can no longer sign in; every session of theirs ends.',
    args: { input: t.arg({ type: StaffIdInput('DeactivateStaffInput'), required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.staff.deactivate(ctx.viewer, inputId(input.id, 'Staff', ['input', 'id'])) as never,
  }),
  resetStaffPassword: t.field({
    type: StaffSecretPayload, authScopes: ADMIN, errors: adminErrors('ResetStaffPasswordResult'),
    description: 'A new one-time password (returned once); the member’s sessions end and they must change it at login.',
    args: { input: t.arg({ type: StaffIdInput('ResetStaffPasswordInput'), required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.staff.resetPassword(ctx.viewer, inputId(input.id, 'Staff', ['input', 'id'])),
  }),
  revokeStaffSessions: t.field({
    type: StaffRef, authScopes: ADMIN_OR_SUPERVISOR, errors: adminErrors('RevokeStaffSessionsResult'),
    description: 'Ends every session of the member, over HTTP and on open subscriptions.',
    args: { input: t.arg({ type: StaffIdInput('RevokeStaffSessionsInput'), required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.staff.revokeSessions(ctx.viewer, inputId(input.id, 'Staff', ['input', 'id'])) as never,
  }),
  logout: t.field({
    type: LogoutPayload, authScopes: { signedInStaff: true }, errors: adminErrors('LogoutResult'),
    description: 'Signs the staff member out: every session of theirs ends (see docs/administration.md).',
    resolve: async (_r, _a, ctx) => ({ staff: await ctx.services.staff.logout(ctx.viewer) }),
  }),
  changePassword: t.field({
    type: SessionPayload, authScopes: { signedInStaff: true },
    errors: { types: [ValidationError, AuthenticationError, ForbiddenError], directResult: true, union: { name: 'ChangePasswordResult' } },
    description: "Changes the signed-in staff member's password; other sessions end and a new token is returned.",
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const r = await ctx.services.staff.changePassword(ctx.viewer, input.currentPassword, input.newPassword);
      ctx.viewer = { kind: 'STAFF', staff: r.staff };
      return r;
    },
  }),
}));
