// Tiers, departments and staff: the institution's own directory.
import { builder } from './builder.ts';
import { EscalationLevelEnum, StaffRoleEnum } from './enums.ts';
import { canReadDepartment, canReadStaff } from './access.ts';

export const TierRef = builder.drizzleNode('tiers', {
  name: 'Tier',
  description: 'Customer service tier, e.g. PRIVATE_BANKING, VIP, STANDARD. Carries SLA overrides (fast lane).',
  id: { column: (t) => t.id },
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    rank: t.exposeInt('rank', { description: 'Higher rank = higher-value customers.' }),
    dedicatedManager: t.exposeBoolean('dedicatedManager', { description: 'Customers of this tier get a dedicated account manager.' }),
  }),
});

export const DepartmentRef = builder.drizzleNode('departments', {
  name: 'Department',
  id: { column: (d) => d.id },
  authScopes: (_d, ctx) => canReadDepartment(ctx.viewer),
  runScopesOnType: true,
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
  }),
});

export const StaffRef = builder.drizzleNode('staff', {
  name: 'Staff',
  id: { column: (s) => s.id },
  // Staff records are for staff and partners with staff:read; customers see only names on timeline events.
  authScopes: (_s, ctx) => canReadStaff(ctx.viewer),
  runScopesOnType: true,
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    role: t.expose('role', { type: StaffRoleEnum }),
    level: t.expose('level', { type: EscalationLevelEnum }),
    active: t.exposeBoolean('active'),
    department: t.relation('department', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  tiers: t.drizzleField({
    type: ['tiers'],
    description: 'All service tiers, highest rank first.',
    resolve: (query, _root, _args, ctx) => ctx.db.query.tiers.findMany(query({ orderBy: { rank: 'desc', code: 'asc' } })),
  }),
  departments: t.drizzleField({
    type: ['departments'],
    authScopes: (_r, _a, ctx) => canReadDepartment(ctx.viewer),
    resolve: (query, _root, _args, ctx) => ctx.db.query.departments.findMany(query({ orderBy: { code: 'asc' } })),
  }),
  staffMembers: t.drizzleField({
    type: ['staff'],
    authScopes: (_r, _a, ctx) => canReadStaff(ctx.viewer),
    description: 'Staff directory (staff, and partners with staff:read).',
    resolve: (query, _root, _args, ctx) => ctx.db.query.staff.findMany(query({ orderBy: { name: 'asc' } })),
  }),
}));
