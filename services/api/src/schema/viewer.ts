import { eq } from 'drizzle-orm';
import { staff } from '@closeloop/db';
import { builder } from './builder.ts';
import { ChannelEnum, ViewerKindEnum } from './enums.ts';
import { AuthenticationError, RateLimitedError, ValidationError } from './errors.ts';
import { CustomerRef } from './customer.ts';
import { StaffRef } from './directory.ts';
import { dummyHash, verifyPassword } from '../auth/passwords.ts';
import type { Viewer } from '../auth/identity.ts';
import type { StaffRow } from '../auth/identity.ts';

const ChannelInfo = builder.objectRef<{ name: string; kind: string }>('ChannelInfo').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.field({ type: ChannelEnum, resolve: (c) => c.kind as never }),
  }),
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'Who the caller is, as the API sees them.',
  fields: (t) => ({
    kind: t.field({ type: ViewerKindEnum, resolve: (v) => v.kind }),
    customer: t.field({ type: CustomerRef, nullable: true, resolve: (v) => (v.kind === 'CUSTOMER' ? (v.customer as never) : null) }),
    staff: t.field({ type: StaffRef, nullable: true, resolve: (v) => (v.kind === 'STAFF' ? (v.staff as never) : null) }),
    channel: t.field({
      type: ChannelInfo,
      nullable: true,
      resolve: (v) => (v.kind === 'CUSTOMER' || v.kind === 'ANONYMOUS' ? v.channel : null),
    }),
    apiKeyName: t.string({ nullable: true, resolve: (v) => (v.kind === 'PARTNER' ? v.apiKey.name : null) }),
    scopes: t.stringList({ resolve: (v) => (v.kind === 'PARTNER' ? v.apiKey.scopes : []) }),
  }),
});

builder.queryField('viewer', (t) => t.field({ type: ViewerRef, resolve: (_root, _args, ctx) => ctx.viewer }));

const LoginInput = builder.inputType('LoginInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

const LoginPayload = builder.objectRef<{ token: string; expiresAt: Date; staff: StaffRow }>('LoginPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>`.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    staff: t.field({ type: StaffRef, resolve: (p) => p.staff as never }),
    mustChangePassword: t.boolean({
      description: 'Signed in with a one-time password: call changePassword before anything else (other operations answer PASSWORD_CHANGE_REQUIRED).',
      resolve: (p) => p.staff.mustChangePassword,
    }),
  }),
});

builder.mutationField('login', (t) =>
  t.field({
    type: LoginPayload,
    description: 'Staff sign-in with email and password; returns a session token.',
    errors: { types: [ValidationError, AuthenticationError, RateLimitedError], directResult: true, union: { name: 'LoginResult' } },
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const email = input.email.trim().toLowerCase();
      if (!email || input.password.length === 0 || input.password.length > 1024) {
        throw new ValidationError([{ path: ['input', email ? 'password' : 'email'], code: 'REQUIRED', message: 'email and password are required' }]);
      }
      // Counted before the password is checked; a blocked account or address is refused even with the right one.
      const attempt = await ctx.limits?.loginAttempt(ctx.clientAddress, email);
      const [member] = await ctx.db.select().from(staff).where(eq(staff.email, email)).limit(1);
      // Verify against a dummy hash for unknown accounts so response time does not reveal which emails exist.
      const ok = await verifyPassword(member?.passwordHash ?? (await dummyHash()), input.password);
      if (!member || !ok || !member.active || !member.passwordHash) {
        await attempt?.failed();
        throw new AuthenticationError('Wrong email or password');
      }
      await attempt?.succeeded();
      const { token, expiresAt } = await ctx.identity.issueStaffToken(member);
      // The session is about to be used by this caller; make it the viewer for nested fields.
      ctx.viewer = { kind: 'STAFF', staff: member };
      return { token, expiresAt, staff: member };
    },
  }),
);
