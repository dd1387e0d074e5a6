// Every field of every type reachable from Query, from the Mutation payloads and from Subscription,
// selected as every kind of caller: no answer may be an internal error or an HTTP 5xx. The documents
// are generated from the schema (schema-tools.ts), so new fields are walked without being listed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLNamedType, GraphQLObjectType } from 'graphql';
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

/**
 * Selects every root field of `root` (Query or Mutation) with its whole result type down to `maxDepth`,
 * as each principal in turn, split into documents small enough for the depth, cost and token limits;
 * returns the internal errors and 5xx answers found, each with its caller and document, and how many
 * documents ran (a walk that ran none would pass without testing anything).
 */
async function walk(root: GraphQLObjectType, maxDepth: number, principals: Principal[]): Promise<{ failures: string[]; documents: number }> {
  const failures: string[] = [];
  let documents = 0;
  const opts = { schema, maxDepth, leaves: 'all' as const, args };
  const keyword = root === schema.getMutationType() ? 'mutation ' : '';
  for (const p of principals) {
    for (const field of selectionsOf(root, opts, 0, [root.name])) {
      if (!field.children.length) continue;
      await runSplitting((inner) => `${keyword}{ ${field.text} { ${inner} } }`, field.children, async (doc) => {
        const r = await w.env.gql(doc, {}, p.headers);
        if (r.errors?.some((e: any) => /depth|cost|token|alias/i.test(e.message) && !e.path)) return 'too-large';
        documents++;
        failures.push(...internal(r).map((m) => `${p.name}: ${m}\n  ${doc}`));
        return 'ok';
      });
    }
  }
  return { failures, documents };
}

describe('the schema walk', () => {
  it('answers every Query field, as every caller, without an internal error', async () => {
    const { failures, documents } = await walk(schema.getQueryType()!, 6, w.principals);
    expect(failures).toEqual([]);
    expect(documents).toBeGreaterThanOrEqual(w.principals.length);
  }, 600_000);

  it('answers every mutation, selecting its whole payload, as every caller, without an internal error', async () => {
    // Administrators last: their changes (revocations, deactivations) must not hide the others' answers.
    const order = [...w.principals].sort((a, b) => Number(a.kind === 'STAFF') - Number(b.kind === 'STAFF'));
    const { failures, documents } = await walk(schema.getMutationType()!, 4, order);
    expect(failures).toEqual([]);
    expect(documents).toBeGreaterThanOrEqual(order.length);
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
