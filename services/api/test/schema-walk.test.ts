// Every field of every type reachable from Query, from the Mutation payloads and from Subscription,
// selected as every kind of caller: no answer may be an internal error or an HTTP 5xx. The documents
// are generated from the schema (schema-tools.ts), so new fields are walked without being listed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLNamedType } from 'graphql';
import { schema } from '../src/schema/index.ts';
import { buildWorld, gid, openSse, type Principal, type World } from './world.ts';
import { inputLiteral, runSplitting, selectionsOf, type ArgValues } from './schema-tools.ts';

let w: World;
beforeAll(async () => {
  w = await buildWorld();
}, 120_000);
afterAll(() => w?.env.close());

function internal(r: { status: number; errors?: any[] }): string[] {
  const bad = (r.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || e.message === 'Unexpected error.');
  return [...(r.status >= 500 ? [`HTTP ${r.status}`] : []), ...bad.map((e) => `${e.message} at ${JSON.stringify(e.path)}`)];
}

/** Values for scalars by name: the world's own ids and codes where a name says what it is. */
function leafValue(name: string, type: GraphQLNamedType): string {
  const f = w.feedback;
  const ids: Record<string, string> = {
    ticketId: gid('Ticket', f.A.ticketId), feedbackId: gid('Feedback', f.C.id), departmentId: gid('Department', w.departments.CREDIT!),
    customerId: gid('Customer', w.principals.find((p) => p.name === 'customer A')!.customerId!),
    assigneeId: gid('Staff', w.principals.find((p) => p.name === 'AGENT of the department')!.staff!.id),
  };
  switch (type.name) {
    case 'ID': return JSON.stringify(ids[name] ?? gid('Ticket', f.A.ticketId));
    case 'Int': return name === 'rating' ? '5' : name === 'weekday' ? '1' : name === 'first' ? '3' : '60';
    case 'Float': return '1.5';
    case 'Boolean': return 'false';
    case 'DateTime': return JSON.stringify(new Date().toISOString());
    default: {
      const strings: Record<string, string> = {
        trackingCode: f.N.trackingCode, accessKey: f.N.accessKey!, email: 'walk@world.dev', password: 'walk-test-password-1',
        idempotencyKey: randomBytes(18).toString('base64url'), timeZone: 'Asia/Shanghai', start: '09:00', end: '17:00', date: '2026-05-01',
        tierCode: 'VIP', code: `WALK_${randomBytes(3).toString('hex')}`, channelKey: w.env.channel.publishableKey,
      };
      return JSON.stringify(strings[name] ?? 'Schema walk text, long enough');
    }
  }
}

const args: ArgValues = (a, field) => {
  if (a.name === 'first') return '3';
  if (field.name === 'node') return undefined;
  if (a.name === 'after' && (field.name === 'feedbackProgress' || field.name === 'ticketEvents')) return '"0"';
  const required = a.type.toString().endsWith('!');
  if (!required && !['trackingCode', 'accessKey', 'search'].includes(a.name)) return undefined;
  return inputLiteral(a.type, a.name, leafValue);
};

describe('the schema walk', () => {
  it('answers every Query field, as every caller, without an internal error', async () => {
    const failures: string[] = [];
    const query = schema.getQueryType()!;
    const opts = { schema, maxDepth: 6, leaves: 'all' as const, args };
    for (const p of w.principals) {
      for (const root of selectionsOf(query, opts, 0, ['Query']).filter((s) => s.children.length)) {
        await runSplitting((inner) => `{ ${root.text} { ${inner} } }`, root.children, async (doc) => {
          const r = await w.env.gql(doc, {}, p.headers);
          if (r.errors?.some((e: any) => /depth|cost|token|alias/i.test(e.message) && !e.path)) return 'too-large';
          failures.push(...internal(r).map((m) => `${p.name}: ${m}\n  ${doc}`));
          return 'ok';
        });
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('answers every mutation, selecting its whole payload, as every caller, without an internal error', async () => {
    const failures: string[] = [];
    const mutation = schema.getMutationType()!;
    const opts = { schema, maxDepth: 4, leaves: 'all' as const, args };
    // Administrators last: their changes (revocations, deactivations) must not hide the others' answers.
    const order = [...w.principals].sort((a, b) => Number(a.kind === 'STAFF') - Number(b.kind === 'STAFF'));
    for (const p of order) {
      for (const root of selectionsOf(mutation, opts, 0, ['Mutation'])) {
        if (!root.children.length) continue;
        await runSplitting((inner) => `mutation { ${root.text} { ${inner} } }`, root.children, async (doc) => {
          const r = await w.env.gql(doc, {}, p.headers);
          if (r.errors?.some((e: any) => /depth|cost|token|alias/i.test(e.message) && !e.path)) return 'too-large';
          failures.push(...internal(r).map((m) => `${p.name}: ${m}\n  ${doc}`));
          return 'ok';
        });
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('answers every subscription, as every caller, without an internal error', async () => {
    const failures: string[] = [];
    const subscription = schema.getSubscriptionType()!;
    const opts = { schema, maxDepth: 3, leaves: 'all' as const, args };
    for (const p of w.principals) {
      for (const root of selectionsOf(subscription, opts, 0, ['Subscription'])) {
        if (!root.children.length) continue;
        const doc = `subscription { ${root.text} { ${root.children.map((c) => (c.children.length ? `${c.text} { __typename }` : c.text)).join(' ')} } }`;
        const first = await firstStreamMessage(p, doc);
        failures.push(...internal(first).map((m) => `${p.name}: ${m}\n  ${doc}`));
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

/**
 * The first message of a subscription over SSE. Every subscription here starts with `after: "0"`, so
 * a caller allowed to follow gets the replay at once and one refused gets its error: no waiting.
 */
async function firstStreamMessage(p: Principal, query: string): Promise<{ status: number; errors?: any[] }> {
  const stream = await openSse(w.env, p.headers, query);
  try {
    return (await stream.next()) ?? { status: stream.status };
  } finally {
    await stream.close();
  }
}
