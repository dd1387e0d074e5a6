import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { feedback } from '@closeloop/db';
import { idempotencyKey } from '@closeloop/sdk';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';
import { FIXED_DATES } from './helpers.ts';

let env: TestEnv;
let h: Record<string, string>;
const total = async () => (await env.handle.db.select({ n: count() }).from(feedback))[0]!.n;

beforeAll(async () => {
  env = await setup(FIXED_DATES);
  h = { 'x-closeloop-channel': env.channel.publishableKey };
});
afterAll(() => env.close());

describe('submitFeedback validation', () => {
  it.each([
    ['empty content', { kind: 'COMPLAINT', content: '   ' }, ['input', 'content'], 'TOO_SHORT'],
    ['over-long content', { kind: 'COMPLAINT', content: '长'.repeat(5001) }, ['input', 'content'], 'TOO_LONG'],
    ['bad email', { kind: 'INQUIRY', content: 'Where is my card?', contact: { email: 'not-an-email' } }, ['input', 'contact', 'email'], 'INVALID_EMAIL'],
    ['bad phone', { kind: 'INQUIRY', content: 'Where is my card?', contact: { phone: 'call me' } }, ['input', 'contact', 'phone'], 'INVALID_PHONE'],
    ['too many tags', { kind: 'INQUIRY', content: 'Where is my card?', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, ['input', 'tags'], 'TOO_MANY'],
    ['channel from a public caller', { kind: 'INQUIRY', content: 'Where is my card?', channel: 'BRANCH' }, ['input', 'channel'], 'NOT_ALLOWED'],
    ['bad idempotency key', { kind: 'INQUIRY', content: 'Where is my card?', idempotencyKey: 'x' }, ['input', 'idempotencyKey'], 'INVALID'],
    ['guessable anonymous idempotency key', { kind: 'INQUIRY', content: 'Where is my card?', idempotencyKey: 'retry-key-0001' }, ['input', 'idempotencyKey'], 'WEAK_KEY'],
    ['patterned anonymous idempotency key', { kind: 'INQUIRY', content: 'Where is my card?', idempotencyKey: 'abcdefghijklmnopqrstuvwxyz' }, ['input', 'idempotencyKey'], 'WEAK_KEY'],
  ])('%s is a typed ValidationError with a field path and changes nothing', async (_name, input, path, code) => {
    const before = await total();
    const r = await env.gql(SUBMIT, { input }, h);
    expect(r.data.submitFeedback.__typename).toBe('ValidationError');
    expect(r.data.submitFeedback.code).toBe('VALIDATION_FAILED');
    expect(r.data.submitFeedback.fieldErrors).toContainEqual(expect.objectContaining({ path, code }));
    expect(await total()).toBe(before);
  });

  it('an unknown enum value is refused before anything runs', async () => {
    const before = await total();
    const r = await env.gql(SUBMIT, { input: { kind: 'RANT', content: 'Hello there world' } }, h);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0]?.message).toMatch(/RANT/);
    expect(await total()).toBe(before);
  });

  it('staff recording phone feedback must name the channel and may back-date it, not future-date it', async () => {
    const staff = bearer((await env.staffToken('AGENT')).token);
    const missing = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Caller reports a failed transfer' } }, staff);
    expect(missing.data.submitFeedback.fieldErrors).toContainEqual(expect.objectContaining({ path: ['input', 'channel'], code: 'REQUIRED' }));
    const future = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Caller reports a failed transfer', channel: 'PHONE', receivedAt: '2099-01-01T00:00:00Z' } }, staff);
    expect(future.data.submitFeedback.fieldErrors).toContainEqual(expect.objectContaining({ path: ['input', 'receivedAt'], code: 'IN_FUTURE' }));
    const ok = await env.gql(`mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { ... on SubmitFeedbackPayload { accessKey feedback { channel receivedAt customer { externalId } } } } }`,
      { i: { kind: 'COMPLAINT', content: 'Caller reports a failed transfer', channel: 'PHONE', receivedAt: '2026-03-02T01:30:00.000Z', customerExternalId: 'cust-77' } }, staff);
    expect(ok.data.submitFeedback).toEqual({ accessKey: null, feedback: { channel: 'PHONE', receivedAt: '2026-03-02T01:30:00.000Z', customer: { externalId: 'cust-77' } } });
  });

  it('stores markup as plain text', async () => {
    const payload = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
    const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: payload } }, h);
    const t = await env.gql(`query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { content } }`, { c: r.data.submitFeedback.trackingCode, k: r.data.submitFeedback.accessKey });
    expect(t.data.trackFeedback.content).toBe(payload);
  });
});

describe('idempotent submission', () => {
  it('same key and input returns the first result; different input is a ConflictError', async () => {
    const input = { kind: 'SUGGESTION', content: 'Add dark mode to the app', idempotencyKey: idempotencyKey() };
    const before = await total();
    const a = await env.gql(SUBMIT, { input }, h);
    const b = await env.gql(SUBMIT, { input }, h);
    expect(b.data.submitFeedback).toMatchObject({ trackingCode: a.data.submitFeedback.trackingCode, accessKey: a.data.submitFeedback.accessKey, replayed: true });
    expect(await total()).toBe(before + 1);
    const c = await env.gql(SUBMIT, { input: { ...input, content: 'Something else entirely' } }, h);
    expect(c.data.submitFeedback).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    const race = idempotencyKey();
    const [x, y] = await Promise.all([
      env.gql(SUBMIT, { input: { ...input, idempotencyKey: race } }, h),
      env.gql(SUBMIT, { input: { ...input, idempotencyKey: race } }, h),
    ]);
    expect(x.data.submitFeedback.trackingCode).toBe(y.data.submitFeedback.trackingCode);
    expect(await total()).toBe(before + 2);
  });

  it("answers a replay only to the same channel key: another channel gets a new submission, never the first one's access key", async () => {
    const { createChannel } = await import('../src/admin.ts');
    const other = await createChannel(env.handle.db, env.app.identity, { name: 'Other app', kind: 'APP' });
    const input = { kind: 'INQUIRY', content: 'Is the branch open on Sunday?', idempotencyKey: idempotencyKey() };
    const a = await env.gql(SUBMIT, { input }, h);
    const b = await env.gql(SUBMIT, { input }, { 'x-closeloop-channel': other.publishableKey });
    expect(b.data.submitFeedback.replayed).toBe(false);
    expect(b.data.submitFeedback.trackingCode).not.toBe(a.data.submitFeedback.trackingCode);
    expect(b.data.submitFeedback.accessKey).not.toBe(a.data.submitFeedback.accessKey);
    const c = await env.gql(SUBMIT, { input: { ...input, contact: { email: 'someone@example.com' } } }, h);
    expect(c.data.submitFeedback).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(JSON.stringify(c)).not.toContain(a.data.submitFeedback.accessKey);
  });
});

describe('query arguments', () => {
  it('malformed IDs are BAD_USER_INPUT errors, unknown ones are null', async () => {
    const staff = bearer((await env.staffToken('SUPERVISOR')).token);
    const r = await env.gql(`{ tickets(first: 5, filter: { departmentId: "garbage" }) { edges { node { id } } } }`, {}, staff);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const n = await env.gql(`{ node(id: "garbage") { id } }`, {}, staff);
    expect(n.data?.node ?? null).toBeNull();
    const f = await env.gql(`{ tickets(first: 500) { edges { node { id } } } }`, {}, staff);
    expect(f.errors?.[0]?.message).toMatch(/100|first/i);
  });
});

describe('cost limits', () => {
  it('refuses documents that are too deep or alias-heavy before running them', async () => {
    const deep = `{ viewer { customer { feedback(first: 1) { edges { node { timeline { feedback { timeline { feedback { timeline { feedback { timeline { feedback { id } } } } } } } } } } } } } }`;
    const r = await env.gql(deep, {}, h);
    expect(r.errors?.[0]?.message).toMatch(/depth/i);
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`;
    const a = await env.gql(aliases, {}, h);
    expect(a.errors?.[0]?.message).toMatch(/alias/i);
  });
});
