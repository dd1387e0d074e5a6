// The administrative commands, shared by the CLI (direct database access) and the running server
// (which executes them for a CLI that cannot open the embedded database the server holds).
import { eq } from 'drizzle-orm';
import { staff, type Database } from '@closeloop/db';
import type { Identity } from './auth/identity.ts';
import { createApiKey, createChannel, createStaff, UsageError } from './admin.ts';
import { seedBase, seedDemo, demoInfo } from './seed.ts';
import type { Services } from './services/index.ts';
import { holidayCommand } from './holiday-commands.ts';

export interface CommandContext {
  db: Database;
  identity: Identity;
  services: Services;
  secretKey: Buffer;
  /** Applies pending migrations (the running server's own database handle). */
  migrate?: () => Promise<void>;
}

import type { Args } from './cli-args.ts';

export type { Args };

export const REMOTE_COMMANDS = new Set(['migrate', 'seed', 'create-channel', 'create-staff', 'create-api-key', 'issue-token', 'doctor', 'holidays-import']);

const str = (a: Args, k: string): string | undefined => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
/** A repeatable option (`--origin a --origin b`). */
const list = (a: Args, k: string): string[] => (Array.isArray(a[k]) ? (a[k] as string[]) : typeof a[k] === 'string' ? [a[k] as string] : []);

/** Runs one command; returns the JSON object `--json` prints. Secrets appear here exactly once. */
export async function runCommand(ctx: CommandContext, command: string, args: Args): Promise<Record<string, unknown>> {
  const { db, identity } = ctx;
  switch (command) {
    case 'migrate': {
      if (!ctx.migrate) throw new UsageError('migrate cannot run here');
      await ctx.migrate();
      return { migrated: true, via: 'running server' };
    }
    case 'seed': {
      if (args.demo) {
        await seedDemo(db, identity, ctx.services);
        const info = await demoInfo(db, identity, ctx.secretKey);
        return { seeded: 'demo', ...info };
      }
      await seedBase(db);
      return { seeded: 'base' };
    }
    case 'create-channel': {
      const jwkRaw = str(args, 'public-key-jwk');
      let publicKeyJwk: Record<string, unknown> | null = null;
      if (jwkRaw) {
        try {
          publicKeyJwk = JSON.parse(jwkRaw);
        } catch {
          throw new UsageError('--public-key-jwk must be a JSON Web Key');
        }
      }
      const r = await createChannel(db, identity, {
        name: str(args, 'name') ?? '', kind: (str(args, 'kind') ?? '').toUpperCase(), publicKeyJwk, allowedOrigins: list(args, 'origin'),
        // --partner: the channel's customers form an identity realm of their own (docs/administration.md).
        partner: args.partner === true ? true : undefined, realm: str(args, 'realm'),
      });
      return {
        id: r.channel.id, name: r.channel.name, kind: r.channel.kind, publishableKey: r.publishableKey,
        signingSecret: r.signingSecret, algorithms: r.channel.allowedAlgorithms, allowedOrigins: r.channel.allowedOrigins, realm: r.channel.realm,
      };
    }
    case 'create-staff': {
      const r = await createStaff(db, identity, {
        email: str(args, 'email') ?? '', role: (str(args, 'role') ?? '').toUpperCase(), department: str(args, 'department') ?? null,
        name: str(args, 'name'), password: str(args, 'password') ?? null,
      });
      return { id: r.staff.id, email: r.staff.email, role: r.staff.role, level: r.staff.level, token: r.token, expiresAt: r.expiresAt.toISOString() };
    }
    case 'create-api-key': {
      const scopes = (str(args, 'scopes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const r = await createApiKey(db, { name: str(args, 'name') ?? '', scopes });
      return { id: r.record.id, name: r.record.name, scopes: r.record.scopes, apiKey: r.apiKey };
    }
    case 'issue-token': {
      const email = (str(args, 'email') ?? '').toLowerCase();
      const [member] = await db.select().from(staff).where(eq(staff.email, email)).limit(1);
      if (!member || !member.active) throw new UsageError(`No active staff member with email ${email || '(missing --email)'}`);
      const { token, expiresAt } = await identity.issueStaffToken(member);
      return { id: member.id, email: member.email, role: member.role, token, expiresAt: expiresAt.toISOString() };
    }
    case 'doctor':
    case 'holidays-import':
      return holidayCommand(db, command, args);
    default:
      throw new UsageError(`Unknown command ${command}`);
  }
}
