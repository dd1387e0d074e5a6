// Provisioning used by the CLI, the demo seed and tests: the same services as the administration API
// (services/staff.ts, channels.ts, api-keys.ts), with CLI-shaped errors. Each returns its secrets exactly once.
import { eq } from 'drizzle-orm';
import { departments, type Database } from '@closeloop/db';
import type { EscalationLevel } from '@closeloop/domain';
import type { Identity } from './auth/identity.ts';
import { AppError, ValidationError } from './schema/errors.ts';
import { StaffService } from './services/staff.ts';
import { ChannelService, type CreateChannelInput } from './services/channels.ts';
import { ApiKeyService } from './services/api-keys.ts';
import type { Actor } from './services/events.ts';

export class UsageError extends Error {}

export type { CreateChannelInput };

/** The CLI acts as the system: the audit trail records who ran it only by the machine's access. */
const CLI_ACTOR: Actor = { type: 'SYSTEM', id: 'cli', name: 'closeloop CLI' };

/** Typed service errors become CLI usage errors naming the option (`--kind must be one of …`). */
async function asCli<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ValidationError) throw new UsageError(e.fieldErrors.map((f) => `--${kebab(f.path.at(-1) ?? '')} ${f.message.replace(/^\w+:? /, '')}`).join('; '));
    if (e instanceof AppError) throw new UsageError(e.message);
    throw e;
  }
}
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function createChannel(db: Database, identity: Identity, input: CreateChannelInput) {
  return asCli(() => new ChannelService(db, identity).create(CLI_ACTOR, input));
}

export interface CreateStaffInput {
  email: string;
  name?: string;
  role: string;
  department?: string | null;
  level?: EscalationLevel;
  password?: string | null;
}

export async function createStaff(db: Database, identity: Identity, input: CreateStaffInput) {
  let departmentId: string | null = null;
  if (input.department) {
    const [d] = await db.select().from(departments).where(eq(departments.code, input.department.toUpperCase())).limit(1);
    if (!d) {
      const all = await db.select({ code: departments.code }).from(departments);
      throw new UsageError(`Unknown department ${input.department}; known: ${all.map((x) => x.code).join(', ') || '(none)'}`);
    }
    departmentId = d.id;
  }
  const { staff } = await asCli(() => new StaffService(db, identity).create(
    CLI_ACTOR,
    { email: input.email, name: input.name, role: input.role, departmentId, level: input.level },
    { password: input.password, noPassword: !input.password },
  ));
  const { token, expiresAt } = await identity.issueStaffToken(staff);
  return { staff, token, expiresAt };
}

export function createApiKey(db: Database, input: { name: string; scopes: string[]; expiresAt?: Date | null }) {
  return asCli(() => new ApiKeyService(db).create(CLI_ACTOR, input));
}
