import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { relations, type Database } from '@closeloop/db';
import type { ApiScope, StaffRole } from '@closeloop/domain';
import type { Context } from '../context.ts';
import { ForbiddenError } from '../policy/errors.ts';
import { canReadWorkflow, isStaffWriter, partnerHas } from '../policy/access.ts';

const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    /** Calendars, SLA policies, routing rules: staff, partners with workflow:read. */
    workflowReader: boolean;
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
    nodeQueryOptions: {
      nullable: true,
      // A well-formed ID of nothing is null, as Relay expects; a key of the wrong form is the caller's
      // error. Both reached the database before (a failed query, "Model … not found"): internal errors.
      resolve: async (_root, { id }, _ctx, _info, resolveNode) => {
        if (!(id.typename === 'TimelineEvent' ? /^\d{1,18}$/ : UUID_KEY).test(id.id)) {
          throw new GraphQLError('id is not the ID of an object', { extensions: { code: 'BAD_USER_INPUT', argument: 'id' } });
        }
        try {
          return await resolveNode(id);
        } catch (e) {
          if (e instanceof Error && /^Model \S+\(.*\) not found$/.test(e.message)) return null;
          throw e;
        }
      },
    },
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
        partner: (scope) => partnerHas(v, scope),
        workflowReader: canReadWorkflow(v),
      };
    },
  },
});

/** RFC 3339 date-time with an explicit offset: 2026-05-01T09:30:00Z or 2026-05-01T17:30:00.250+08:00. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/i;

/** The instant, or null when the text is not a real RFC 3339 date-time with an offset (2026-02-30, 25:00, no offset, year 0). */
export function parseDateTime(text: unknown): Date | null {
  const m = typeof text === 'string' ? DATE_TIME.exec(text) : null;
  if (!m) return null;
  const [, y, mo, d, h, mi, se, , oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (year < 1 || month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysInMonth) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(se ?? 0) > 59 || Number(oh ?? 0) > 23 || Number(om ?? 0) > 59) return null;
  const date = new Date(text as string);
  return Number.isNaN(date.getTime()) ? null : date;
}

builder.scalarType('DateTime', {
  description: 'An instant, as an RFC 3339 string with an offset (2026-05-01T09:30:00Z, 2026-05-01T17:30:00+08:00); answered in UTC.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  parseValue: (v) => {
    const d = parseDateTime(v);
    if (!d) throw new TypeError('DateTime must be a real date and time with an offset, such as 2026-05-01T09:30:00Z');
    return d;
  },
});

builder.queryType({});
builder.mutationType({});
