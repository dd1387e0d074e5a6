import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { relations, type Database } from '@closeloop/db';
import type { ApiScope, StaffRole } from '@closeloop/domain';
import type { Context } from '../context.ts';
import { ForbiddenError } from './errors.ts';
import { isStaffReader, isStaffWriter } from './access.ts';

export interface SchemaTypes {
  Context: Context;
  DrizzleRelations: typeof relations;
  AuthScopes: {
    /** An anonymous caller of a registered public channel, or a signed-in customer. */
    channel: boolean;
    customer: boolean;
    staff: boolean;
    /** Any signed-in staff member, even one who must still change their one-time password. */
    signedInStaff: boolean;
    /** Staff allowed to change things (every role but AUDITOR). */
    staffWriter: boolean;
    staffRole: StaffRole[];
    partner: ApiScope;
    /** Staff or partner allowed to read the handling side (tickets, customers). */
    backOffice: boolean;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
}

export const builder = new SchemaBuilder<SchemaTypes>({
  // Errors first so that authorization failures on mutations surface as typed ForbiddenError results.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  drizzle: {
    client: (ctx) => ctx.db as Database,
    getTableConfig,
    relations,
    maxConnectionSize: 100,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { nullable: true },
    nodesQueryOptions: false,
  },
  errors: { defaultTypes: [] },
  scopeAuth: {
    treatErrorsAsUnauthorized: false,
    unauthorizedError: () => new ForbiddenError('You are not allowed to do this'),
    authScopes: (ctx) => {
      const v = ctx.viewer;
      return {
        channel: (v.kind === 'ANONYMOUS' && v.channel !== null) || v.kind === 'CUSTOMER',
        customer: v.kind === 'CUSTOMER',
        staff: v.kind === 'STAFF',
        signedInStaff: v.kind === 'STAFF',
        staffWriter: isStaffWriter(v),
        staffRole: (roles) => v.kind === 'STAFF' && roles.includes(v.staff.role),
        partner: (scope) => v.kind === 'PARTNER' && v.apiKey.scopes.includes(scope),
        backOffice: isStaffReader(v) || (v.kind === 'PARTNER' && v.apiKey.scopes.some((s) => s.endsWith(':read') || s.endsWith(':write'))),
      };
    },
  },
});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  parseValue: (v) => {
    const d = typeof v === 'string' ? new Date(v) : null;
    if (!d || Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(v as string)) {
      throw new TypeError('DateTime must be an ISO 8601 string such as 2026-05-01T09:30:00Z');
    }
    return d;
  },
});

builder.queryType({});
builder.mutationType({});
