// The directory through the API (issue 13): departments, tiers, a customer's dedicated account
// manager, and customer records pushed in bulk by partner systems (upsertCustomers, for a CRM sync).
import { builder } from './builder.ts';
import { inputId } from './ids.ts';
import { ADMIN, ADMIN_OR_SUPERVISOR, adminErrors } from './admin-staff.ts';
import { DepartmentRef, TierRef } from './directory.ts';
import { CustomerRef } from './customer.ts';
import { actorOf } from '../services/feedback.ts';
import { MAX_UPSERT_BATCH, type UpsertRowResult } from '../services/customers.ts';

builder.drizzleObjectFields(CustomerRef, (t) => ({
  realm: t.exposeString('realm', { description: 'Identity realm: "default" for the institution’s own channels; a partner channel’s realm otherwise.' }),
}));

const DepartmentInput = (name: string, update: boolean) => builder.inputType(name, {
  fields: (t) => ({
    ...(update ? { id: t.id({ required: true }) } : {}),
    code: t.string({ required: !update, description: 'e.g. CREDIT: A-Z, 0-9 and _.' }),
    name: t.string({ required: !update }),
  }),
});
const TierInput = (name: string, update: boolean) => builder.inputType(name, {
  fields: (t) => ({
    ...(update ? { id: t.id({ required: true }) } : { code: t.string({ required: true, description: 'e.g. VIP; fixed once created.' }) }),
    name: t.string({ required: !update }),
    rank: t.int({ description: 'Higher = higher-value customers.' }),
    dedicatedManager: t.boolean(),
  }),
});
const SetAccountManagerInput = builder.inputType('SetAccountManagerInput', {
  fields: (t) => ({ customerId: t.id({ required: true }), staffId: t.id({ description: 'null removes the account manager.' }) }),
});
const CustomerRecordInput = builder.inputType('CustomerRecordInput', {
  description: 'One customer. Fields left out stay as they are; null clears them.',
  fields: (t) => ({
    externalId: t.string({ required: true }),
    name: t.string(),
    phone: t.string(),
    email: t.string(),
    tierCode: t.string(),
    accountManagerEmail: t.string({ description: 'The dedicated account manager, by staff e-mail.' }),
    birthday: t.string({ description: 'YYYY-MM-DD.' }),
  }),
});
const UpsertCustomersInput = builder.inputType('UpsertCustomersInput', {
  fields: (t) => ({
    realm: t.string({ description: 'Identity realm of these customers; default "default" (the institution’s own).' }),
    customers: t.field({ type: [CustomerRecordInput], required: true, description: `1 to ${MAX_UPSERT_BATCH} records.` }),
  }),
});

const UpsertStatusEnum = builder.enumType('CustomerUpsertStatus', { values: ['CREATED', 'UPDATED', 'UNCHANGED', 'FAILED'] as const });
const RowErrorRef = builder.objectRef<{ path: string[]; code: string; message: string }>('CustomerRecordError').implement({
  fields: (t) => ({ path: t.exposeStringList('path'), code: t.exposeString('code'), message: t.exposeString('message') }),
});
const RowResultRef = builder.objectRef<UpsertRowResult>('CustomerUpsertResult').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position in input.customers.' }),
    externalId: t.exposeString('externalId'),
    status: t.field({ type: UpsertStatusEnum, resolve: (r) => r.status }),
    customer: t.field({ type: CustomerRef, nullable: true, resolve: (r) => r.customer as never }),
    errors: t.field({ type: [RowErrorRef], resolve: (r) => r.errors }),
  }),
});
const UpsertPayload = builder.objectRef<{ results: UpsertRowResult[] }>('UpsertCustomersPayload').implement({
  description: 'Rows with errors changed nothing; the others were written together.',
  fields: (t) => ({
    results: t.field({ type: [RowResultRef], resolve: (p) => p.results }),
    created: t.int({ resolve: (p) => p.results.filter((r) => r.status === 'CREATED').length }),
    updated: t.int({ resolve: (p) => p.results.filter((r) => r.status === 'UPDATED').length }),
    failed: t.int({ resolve: (p) => p.results.filter((r) => r.status === 'FAILED').length }),
  }),
});

builder.mutationFields((t) => ({
  createDepartment: t.field({
    type: DepartmentRef, authScopes: ADMIN, errors: adminErrors('CreateDepartmentResult'),
    args: { input: t.arg({ type: DepartmentInput('CreateDepartmentInput', false), required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.directory.saveDepartment(actorOf(ctx.viewer), null, input) as never,
  }),
  updateDepartment: t.field({
    type: DepartmentRef, authScopes: ADMIN, errors: adminErrors('UpdateDepartmentResult'),
    args: { input: t.arg({ type: DepartmentInput('UpdateDepartmentInput', true), required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.directory.saveDepartment(actorOf(ctx.viewer), inputId((input as { id: string }).id, 'Department', ['input', 'id']), input) as never,
  }),
  createTier: t.field({
    type: TierRef, authScopes: ADMIN_OR_SUPERVISOR, errors: adminErrors('CreateTierResult'),
    args: { input: t.arg({ type: TierInput('CreateTierInput', false), required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.directory.saveTier(actorOf(ctx.viewer), null, input) as never,
  }),
  updateTier: t.field({
    type: TierRef, authScopes: ADMIN_OR_SUPERVISOR, errors: adminErrors('UpdateTierResult'),
    args: { input: t.arg({ type: TierInput('UpdateTierInput', true), required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.directory.saveTier(actorOf(ctx.viewer), inputId((input as { id: string }).id, 'Tier', ['input', 'id']), input) as never,
  }),
  setAccountManager: t.field({
    type: CustomerRef, authScopes: ADMIN_OR_SUPERVISOR, errors: adminErrors('SetAccountManagerResult'),
    description: "Sets or removes a customer's dedicated account manager (routing gives their tickets to them).",
    args: { input: t.arg({ type: SetAccountManagerInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.customers.setAccountManager(
      ctx.viewer, inputId(input.customerId, 'Customer', ['input', 'customerId']),
      input.staffId ? inputId(input.staffId, 'Staff', ['input', 'staffId']) : null,
    ) as never,
  }),
  upsertCustomers: t.field({
    type: UpsertPayload, authScopes: { ...ADMIN, partner: 'customers:write' }, errors: adminErrors('UpsertCustomersResult'),
    description: `Creates or updates up to ${MAX_UPSERT_BATCH} customers (a CRM sync); each row succeeds or fails on its own.`,
    args: { input: t.arg({ type: UpsertCustomersInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.customers.upsertMany(ctx.viewer, input.realm, input.customers),
  }),
}));
