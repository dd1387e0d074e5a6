// The compiled documents of the overhead ladder, taken from the server's own registry
// (services/api/src/compiled/documents.ts) so that every document added there is measured without
// changes here. For each: a caller and variables from its root field (ROOT_FIXTURES), and a raw
// baseline that does the same SQL work: the raw server resolves the caller the same way (the product's
// Identity and sign-in) and sends the very statement(s) the compiled path sent, with the request's
// variables in place, through postgres.js, writing the database's JSON as the answer.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { createDatabase } from '@closeloop/db';
import { COMPILED_DOCUMENTS } from '../../services/api/src/compiled/documents.ts';
import { createApp } from '../../services/api/src/http/server.ts';
import type { LoadSpec } from '../load.ts';
import type { Fixtures, LadderSpec } from './cases.ts';
import { createRawServer, type Replay, type ReplayStatement } from './raw.ts';
import { benchAppOptions } from './trusted.ts';

/** What a root field needs to be measured: the caller and the variables of one request. */
interface RootFixture {
  caller: string;
  headers: (fx: Fixtures) => Record<string, string>;
  /** The value of each argument; `pairs` marks the tracking code and access key drawn per request. */
  args: Record<string, unknown | { pair: 0 | 1 }> | ((fx: Fixtures) => Record<string, unknown>);
}
const ROOT_FIXTURES: Record<string, RootFixture> = {
  trackFeedback: { caller: 'anonymous + access key', headers: () => ({}), args: { trackingCode: { pair: 0 }, accessKey: { pair: 1 } } },
  feedbacks: { caller: 'customer', headers: (fx) => ({ authorization: `Bearer ${fx.customerToken}`, 'x-closeloop-channel': fx.channelKey }), args: { first: 20 } },
  // The console's default view (open tickets, due soonest) where the document takes those arguments.
  tickets: {
    caller: 'agent', headers: (fx) => ({ authorization: `Bearer ${fx.agentToken}` }),
    args: { first: 50, orderBy: 'DUE_SOONEST', filter: { status: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER'] } },
  },
  // A ticket of the agent's department with its timeline (the console's ticket screen).
  node: { caller: 'agent', headers: (fx) => ({ authorization: `Bearer ${fx.agentToken}` }), args: (fx) => ({ id: fx.ticketId }) },
};
const isPair = (v: unknown): v is { pair: 0 | 1 } => typeof v === 'object' && v !== null && 'pair' in v;

export interface CompiledSetup {
  cases: LadderSpec[];
  /** The file the raw server reads its replays from (BENCH_REPLAY). */
  replayFile: string;
  /** Per document: statements per request on the GraphQL server, or why it is not measured. */
  rows: Array<{ id: string; label: string; statements?: number; note?: string }>;
  parity: string[];
}

/** The request for one compiled document, or why it cannot be measured. */
function requestFor(text: string, fx: Fixtures): { op: OperationDefinitionNode; field: FieldNode; fixture: RootFixture; load: Pick<LoadSpec, 'headers' | 'body'>; sample: Record<string, unknown> } | string {
  const doc = parse(text);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const field = op?.selectionSet.selections[0];
  if (!op || field?.kind !== Kind.FIELD) return 'no root field';
  const fixture = ROOT_FIXTURES[field.name.value];
  if (!fixture) return `no bench fixture for the root field ${field.name.value} (bench/lib/compiled.ts ROOT_FIXTURES)`;
  const vars: Record<string, unknown> = {};
  const pairNames: [string, string] = ['', ''];
  const args = typeof fixture.args === 'function' ? fixture.args(fx) : fixture.args;
  for (const arg of field.arguments ?? []) {
    const value = args[arg.name.value];
    if (value === undefined) continue; // optional arguments the fixture leaves out (a filter)
    if (arg.value.kind !== Kind.VARIABLE) return `argument ${arg.name.value} is a literal`;
    if (isPair(value)) pairNames[value.pair] = arg.value.name.value;
    else vars[arg.value.name.value] = value;
  }
  const [code, key] = fx.byLength[20];
  const sample = { ...vars, ...(pairNames[0] ? { [pairNames[0]]: code, [pairNames[1]]: key } : {}) };
  const headers = fixture.headers(fx);
  const body: LoadSpec['body'] = pairNames[0]
    ? { kind: 'track', query: text, pairsFile: fx.pairsFile, names: pairNames, extra: vars }
    : { kind: 'fixed', text: JSON.stringify({ query: text, variables: vars }) };
  return { op, field, fixture, load: { headers, body }, sample };
}

/** Parameters equal to a variable's value come from the request; the others are fixed. */
function replayParams(params: unknown[], sample: Record<string, unknown>): ReplayStatement['params'] {
  return params.map((p) => {
    const name = typeof p === 'string' ? Object.keys(sample).find((k) => sample[k] === p) : undefined;
    return name ? { variable: name } : { value: p };
  });
}

export async function setupCompiled(url: string, secretKey: Buffer, fx: Fixtures): Promise<CompiledSetup> {
  const captured: Array<{ sql: string; params: unknown[] }> = [];
  const handle = await createDatabase({ url, max: 2, onQuery: (q, params) => captured.push({ sql: q, params: [...(params ?? [])] }) });
  const app = createApp({ handle, secretKey, ...benchAppOptions() });
  const port = await app.listen(0, '127.0.0.1');
  const replays: Replay[] = [];
  const out: CompiledSetup = { cases: [], replayFile: join(tmpdir(), `closeloop-bench-${process.pid}-replay.json`), rows: [], parity: [] };
  const samples: Array<{ index: number; request: Exclude<ReturnType<typeof requestFor>, string>; answer: unknown }> = [];
  try {
    for (const text of COMPILED_DOCUMENTS) {
      const request = requestFor(text, fx);
      const name = typeof request === 'string' ? parse(text).definitions.map((d) => (d as { name?: { value: string } }).name?.value).find(Boolean) ?? '?' : request.op.name?.value ?? request.field.name.value;
      const id = `compiled:${name}`;
      if (typeof request === 'string') {
        out.rows.push({ id, label: name, note: `not measured: ${request}` });
        continue;
      }
      const label = `${name} (${request.field.name.value}, ${request.fixture.caller})`;
      captured.length = 0;
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...request.load.headers }, body: JSON.stringify({ query: text, variables: request.sample }),
      });
      const answer = (await res.json()) as { data?: unknown; errors?: unknown };
      // The compiled statements are the ones that build the answer as `json`; the others resolved the caller.
      const own = captured.filter((c) => /::text as json\b/.test(c.sql));
      if (answer.errors || own.length === 0) {
        out.rows.push({ id, label, note: `not measured: ${answer.errors ? JSON.stringify(answer.errors).slice(0, 200) : 'the request was not answered by the compiled path'}` });
        continue;
      }
      out.rows.push({ id, label, statements: captured.length });
      const index = replays.length;
      replays.push({ key: request.field.alias?.value ?? request.field.name.value, statements: own.map((c) => ({ sql: c.sql, params: replayParams(c.params, request.sample) })) });
      samples.push({ index, request, answer });
      out.cases.push({ id, label, group: 'compiled', target: 0.8, judgedAt: [16, 64], rawPath: `/raw/compiled/${index}`, load: request.load });
    }
  } finally {
    await app.close();
    await handle.close();
  }
  writeFileSync(out.replayFile, JSON.stringify(replays));
  // Parity: the raw replay must answer what the compiled path answered.
  const raw = await createRawServer({ url, pool: 2, secretKey, replays });
  const rawPort = await new Promise<number>((r) => raw.server.listen(0, '127.0.0.1', () => r((raw.server.address() as { port: number }).port)));
  try {
    for (const s of samples) {
      const res = await fetch(`http://127.0.0.1:${rawPort}/raw/compiled/${s.index}`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...s.request.load.headers }, body: JSON.stringify({ variables: s.request.sample }),
      });
      const body = await res.json();
      if (!isDeepStrictEqual(body, s.answer)) out.parity.push(`${out.cases[samples.indexOf(s)]!.id}: raw replay and compiled answers differ`);
    }
  } finally {
    await raw.close();
  }
  return out;
}
