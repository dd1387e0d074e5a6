// Staff administration and a staff member's own session: create with a one-time initial password,
// update, deactivate, reset a password, revoke sessions, change one's password, sign out. Every change
// is validated first (typed errors, nothing changed) and audited in its transaction.
//
// Sessions: a staff token carries the member's `session_version`; bumping it ends every session issued
// before. Signing out therefore ends all of the member's sessions (every device): one integer per member
// instead of a session table, and revocation is one UPDATE that every instance sees on its next read.
import { randomBytes } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import { departments, staff, type Database, type Tx } from '@closeloop/db';
import {
  ESCALATION_LEVELS, STAFF_ROLES, passwordProblem, type EscalationLevel, type FieldError, type StaffRole,
} from '@closeloop/domain';
import type { Identity, StaffRow, Viewer } from '../auth/identity.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './events.ts';
import { actorOf, isUniqueViolation } from './feedback.ts';

export const LEVEL_FOR_ROLE: Record<StaffRole, EscalationLevel> = {
  AGENT: 'L1', SENIOR: 'L2', EXPERT: 'L3', SUPERVISOR: 'L3', ADMIN: 'L3', AUDITOR: 'L1',
};

export interface CreateStaffInput {
  email: string;
  name?: string | null;
  displayName?: string | null;
  role: string;
  departmentId?: string | null;
  level?: EscalationLevel | null;
}

export interface UpdateStaffInput {
  name?: string | null;
  displayName?: string | null;
  role?: StaffRole | null;
  /** undefined: unchanged; null: no department. */
  departmentId?: string | null;
  level?: EscalationLevel | null;
}

/** A readable one-time password: 20 characters from an alphabet without look-alikes (~114 bits). */
export function initialPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
}

const invalid = (errors: FieldError[]): never => {
  throw new ValidationError(errors);
};

export class StaffService {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
    /** Told after sessions were revoked, so open subscriptions can end at once. */
    private readonly onSessionsRevoked: () => void = () => {},
  ) {}

  private async checkDepartment(departmentId: string | null | undefined, errors: FieldError[]): Promise<void> {
    if (!departmentId) return;
    const [d] = await this.db.select({ id: departments.id }).from(departments).where(eq(departments.id, departmentId)).limit(1);
    if (!d) errors.push({ path: ['input', 'departmentId'], code: 'NOT_FOUND', message: 'departmentId: no such department' });
  }

  /**
   * Creates a staff member. With `password` (the CLI's bootstrap) that password is set as chosen;
   * otherwise a one-time initial password is generated, returned once, and must be changed at first login.
   */
  async create(actor: Actor, input: CreateStaffInput, options: { password?: string | null; noPassword?: boolean } = {}) {
    const email = input.email?.trim().toLowerCase() ?? '';
    const errors: FieldError[] = [];
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) errors.push({ path: ['input', 'email'], code: 'INVALID', message: 'email must be an email address' });
    if (!STAFF_ROLES.includes(input.role as StaffRole)) errors.push({ path: ['input', 'role'], code: 'INVALID', message: `role must be one of ${STAFF_ROLES.join(', ')}` });
    checkNames(input, errors);
    if (input.level != null && !ESCALATION_LEVELS.includes(input.level)) errors.push({ path: ['input', 'level'], code: 'INVALID', message: 'level must be L1, L2 or L3' });
    if (options.password) {
      const problem = passwordProblem(options.password);
      if (problem) errors.push({ path: ['input', 'password'], ...problem });
    }
    await this.checkDepartment(input.departmentId, errors);
    if (errors.length) invalid(errors);
    const role = input.role as StaffRole;
    // The CLI's token-only bootstrap members have no password at all (they cannot log in).
    const generated = options.password || options.noPassword ? null : initialPassword();
    const chosen = options.password ?? generated;
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(staff).values({
          email,
          name: input.name?.trim() || email.split('@')[0]!,
          displayName: input.displayName?.trim() || null,
          role,
          departmentId: input.departmentId ?? null,
          level: input.level ?? LEVEL_FOR_ROLE[role],
          passwordHash: chosen ? await hashPassword(chosen) : null,
          mustChangePassword: generated !== null,
        }).returning();
        await audit(tx, actor, 'staff.create', { type: 'Staff', id: row!.id }, { email, role, departmentId: row!.departmentId, level: row!.level });
        return { staff: row!, initialPassword: generated };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`A staff member with email ${email} already exists`);
      throw e;
    }
  }

  async update(viewer: Viewer, id: string, input: UpdateStaffInput): Promise<StaffRow> {
    const errors: FieldError[] = [];
    checkNames(input, errors);
    await this.checkDepartment(input.departmentId, errors);
    if (errors.length) invalid(errors);
    return this.db.transaction(async (tx) => {
      const prior = await this.lock(tx, id);
      if (input.role != null && input.role !== 'ADMIN') await assertAnotherAdmin(tx, prior);
      const set: Partial<typeof staff.$inferInsert> = { updatedAt: new Date() };
      if (input.name != null) set.name = input.name.trim();
      if (input.displayName !== undefined) set.displayName = input.displayName?.trim() || null;
      if (input.role != null) set.role = input.role;
      if (input.departmentId !== undefined) set.departmentId = input.departmentId;
      if (input.level != null) set.level = input.level;
      const [row] = await tx.update(staff).set(set).where(eq(staff.id, id)).returning();
      const { updatedAt: _, ...changes } = set;
      await audit(tx, actorOf(viewer), 'staff.update', { type: 'Staff', id }, changes);
      return row!;
    });
  }

  /** Deactivated members cannot sign in, and every session of theirs ends. */
  async deactivate(viewer: Viewer, id: string): Promise<StaffRow> {
    if (viewer.kind === 'STAFF' && viewer.staff.id === id) throw new ForbiddenError('You cannot deactivate yourself');
    const row = await this.db.transaction(async (tx) => {
      const prior = await this.lock(tx, id);
      await assertAnotherAdmin(tx, prior);
      const [row] = await tx.update(staff)
        .set({ active: false, deactivatedAt: prior.deactivatedAt ?? new Date(), sessionVersion: sql`${staff.sessionVersion} + 1`, updatedAt: new Date() })
        .where(eq(staff.id, id)).returning();
      await audit(tx, actorOf(viewer), 'staff.deactivate', { type: 'Staff', id }, { email: prior.email });
      return row!;
    });
    this.onSessionsRevoked();
    return row;
  }

  /** A new one-time password (returned once); the member's sessions end and the password must be changed at login. */
  async resetPassword(viewer: Viewer, id: string) {
    const password = initialPassword();
    const hash = await hashPassword(password);
    const row = await this.db.transaction(async (tx) => {
      await this.lock(tx, id);
      const [row] = await tx.update(staff)
        .set({ passwordHash: hash, mustChangePassword: true, sessionVersion: sql`${staff.sessionVersion} + 1`, updatedAt: new Date() })
        .where(eq(staff.id, id)).returning();
      await audit(tx, actorOf(viewer), 'staff.reset_password', { type: 'Staff', id });
      return row!;
    });
    this.onSessionsRevoked();
    return { staff: row, initialPassword: password };
  }

  /** Ends every session of the member (HTTP at once, open subscriptions at the hub's re-check). */
  async revokeSessions(viewer: Viewer, id: string, action = 'staff.revoke_sessions'): Promise<StaffRow> {
    const row = await this.db.transaction(async (tx) => {
      await this.lock(tx, id);
      const [row] = await tx.update(staff).set({ sessionVersion: sql`${staff.sessionVersion} + 1`, updatedAt: new Date() }).where(eq(staff.id, id)).returning();
      await audit(tx, actorOf(viewer), action, { type: 'Staff', id });
      return row!;
    });
    this.onSessionsRevoked();
    return row;
  }

  /** Signing out ends the member's sessions (see the note at the top of this file). */
  async logout(viewer: Viewer): Promise<StaffRow> {
    if (viewer.kind !== 'STAFF') throw new ForbiddenError('Only staff sign out');
    return this.revokeSessions(viewer, viewer.staff.id, 'staff.logout');
  }

  /**
   * Changes the signed-in member's own password. Other sessions end; the caller gets a new session
   * token, so the device that changed the password stays signed in.
   */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string) {
    if (viewer.kind !== 'STAFF') throw new ForbiddenError('Only staff change a password here');
    const [member] = await this.db.select().from(staff).where(eq(staff.id, viewer.staff.id)).limit(1);
    if (!member || !(await verifyPassword(member.passwordHash, currentPassword.slice(0, 1024)))) {
      throw new AuthenticationError('The current password is wrong');
    }
    const problem = passwordProblem(newPassword, currentPassword);
    if (problem) invalid([{ path: ['input', 'newPassword'], ...problem }]);
    const hash = await hashPassword(newPassword);
    const row = await this.db.transaction(async (tx) => {
      const [row] = await tx.update(staff)
        .set({ passwordHash: hash, mustChangePassword: false, passwordChangedAt: new Date(), sessionVersion: sql`${staff.sessionVersion} + 1`, updatedAt: new Date() })
        .where(eq(staff.id, member.id)).returning();
      await audit(tx, actorOf(viewer), 'staff.change_password', { type: 'Staff', id: member.id });
      return row!;
    });
    this.onSessionsRevoked();
    const session = await this.identity.issueStaffToken(row);
    return { ...session, staff: row };
  }

  private async lock(tx: Tx, id: string): Promise<StaffRow> {
    const [row] = await tx.select().from(staff).where(eq(staff.id, id)).for('update');
    if (!row) throw new NotFoundError('No such staff member');
    return row;
  }
}

function checkNames(input: { name?: string | null; displayName?: string | null }, errors: FieldError[]): void {
  if (input.name != null && (!input.name.trim() || input.name.trim().length > 100)) errors.push({ path: ['input', 'name'], code: 'INVALID', message: 'name: 1–100 characters' });
  if (input.displayName != null && input.displayName.trim().length > 40) errors.push({ path: ['input', 'displayName'], code: 'INVALID', message: 'displayName: at most 40 characters' });
}

/** An institution must keep at least one active admin: the last one cannot be demoted or deactivated. */
async function assertAnotherAdmin(tx: Tx, member: StaffRow): Promise<void> {
  if (member.role !== 'ADMIN' || !member.active) return;
  // Serialises these checks, so two admins removing each other at once cannot both succeed.
  await tx.execute(sql`select pg_advisory_xact_lock(72022604)`);
  const [other] = await tx.select({ id: staff.id }).from(staff)
    .where(and(eq(staff.role, 'ADMIN'), eq(staff.active, true), ne(staff.id, member.id))).limit(1);
  if (!other) throw new ConflictError('This is the last active admin; make another admin first');
}
