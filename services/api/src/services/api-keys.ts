// Partner API keys: created with scopes and an optional expiry (the key is returned once; only its
// SHA-256 is stored), revoked, and their last use noted after sign-in (services/sign-in.ts).
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { apiKeys, type Database } from '@closeloop/db';
import { API_SCOPES, type ApiScope, type FieldError } from '@closeloop/domain';
import { API_KEY_PREFIX } from '../auth/identity.ts';
import { randomToken, sha256 } from '../auth/keys.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './events.ts';

export interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class ApiKeyService {
  constructor(
    private readonly db: Database,
    /** Told after a key was revoked, so its open subscriptions can end at once. */
    private readonly onRevoked: () => void = () => {},
  ) {}

  async create(actor: Actor, input: CreateApiKeyInput) {
    const errors: FieldError[] = [];
    const name = input.name?.trim() ?? '';
    if (!name || name.length > 100) errors.push({ path: ['input', 'name'], code: 'REQUIRED', message: 'name is required (1–100 characters)' });
    const scopes = [...new Set(input.scopes)];
    const bad = scopes.filter((s) => !API_SCOPES.includes(s as ApiScope));
    if (scopes.length === 0 || bad.length) {
      errors.push({ path: ['input', 'scopes'], code: 'INVALID', message: `scopes must be a comma-separated list of ${API_SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}` });
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) errors.push({ path: ['input', 'expiresAt'], code: 'IN_THE_PAST', message: 'expiresAt must be in the future' });
    if (errors.length) throw new ValidationError(errors);
    const prefix = Array.from(randomBytes(8), (x) => ALNUM[x % ALNUM.length]).join('');
    const apiKey = `${API_KEY_PREFIX}${prefix}_${randomToken(20)}`;
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(apiKeys)
        .values({ name, prefix, keyHash: sha256(apiKey), scopes, expiresAt: input.expiresAt ?? null })
        .returning();
      await audit(tx, actor, 'api_key.create', { type: 'ApiKey', id: row!.id }, { name, prefix, scopes, expiresAt: input.expiresAt?.toISOString() ?? null });
      return { apiKey, record: row! };
    });
  }

  /** Revoking is final and idempotent; open subscriptions of the key end at the hub's next re-check. */
  async revoke(actor: Actor, id: string) {
    const row = await this.db.transaction(async (tx) => {
      const [prior] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
      if (!prior) throw new NotFoundError('No such API key');
      if (prior.revokedAt) return prior;
      const [row] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)).returning();
      await audit(tx, actor, 'api_key.revoke', { type: 'ApiKey', id }, { name: prior.name, prefix: prior.prefix });
      return row!;
    });
    this.onRevoked();
    return row;
  }
}
