// The baseline of the overhead ladder: a plain node:http handler doing the same work as the GraphQL
// endpoint for each benchmarked operation, with the same driver (postgres.js) and pool size, and
// answering with the same JSON. Only the paths the benchmark sends are implemented.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import postgres from 'postgres';
import { jwtVerify } from 'jose';
import { createDatabase } from '@closeloop/db';
import { normalizeTrackingCode } from '@closeloop/domain';
import { deriveKey } from '../../services/api/src/auth/keys.ts';
import { Identity } from '../../services/api/src/auth/identity.ts';
import { createServices } from '../../services/api/src/services/index.ts';
import { signIn } from '../../services/api/src/services/sign-in.ts';

const DEPARTMENT_BOUND = new Set(['AGENT', 'SENIOR', 'EXPERT']);
const NO_DEPARTMENT = '00000000-0000-0000-0000-000000000000';
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (col: string) => `to_char(${col} at time zone 'UTC', ${ISO})`;
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** A statement the raw server replays: its text and each parameter, fixed or taken from a variable. */
export interface ReplayStatement {
  sql: string;
  params: Array<{ value: unknown } | { variable: string }>;
}
export interface Replay {
  /** The response key: `{"data":{"<key>":<json>}}`. */
  key: string;
  statements: ReplayStatement[];
}

export interface RawOptions {
  url: string;
  pool: number;
  secretKey: Buffer;
  /** Called with every statement sent (statement counts). */
  onQuery?: (sql: string) => void;
  /** Extra routes tried first (the benchmark's CPU probe). */
  routes?: Array<(req: IncomingMessage, res: ServerResponse) => boolean>;
  /** Compiled documents' statements, served at /raw/compiled/<index> (compiled.ts). */
  replays?: Replay[];
}

export async function createRawServer(options: RawOptions): Promise<{ server: Server; close(): Promise<void> }> {
  const onQuery = options.onQuery;
  const sql = postgres(options.url, { max: options.pool, onnotice: () => {}, ...(onQuery ? { debug: (_c: number, q: string) => onQuery(q) } : {}) });
  const accessKeySecret = deriveKey(options.secretKey, 'access-key');
  const sessionKey = deriveKey(options.secretKey, 'staff-session');
  // (c) calls the same service the mutation calls, through its own drizzle handle (also postgres.js).
  const handle = await createDatabase({ url: options.url, max: options.pool, onQuery });
  const identity = new Identity({ db: handle.db, secretKey: options.secretKey, staffSessionTtlSeconds: 3600 });
  const services = createServices(handle.db, options.secretKey, () => {});

  const accessKeyOk = (id: string, key: string) => {
    const expected = Buffer.from(createHmac('sha256', accessKeySecret).update(id).digest('base64url').slice(0, 26));
    const given = Buffer.from(key.trim());
    return expected.length === given.length && timingSafeEqual(expected, given);
  };

  // (a) One statement: the feedback, its ticket's status and due time, and its PUBLIC timeline.
  async function track(vars: { c: string; k?: string | null }) {
    const code = normalizeTrackingCode(vars.c);
    const [row] = await sql.unsafe(
      `select f.id, f.tracking_code, f.kind, t.status, ${iso('t.resolution_due_at')} as due,
              coalesce((select json_agg(json_build_object('position', e.position, 'type', e.type, 'toStatus', e.to_status,
                                                          'body', e.body, 'createdAt', ${iso('e.created_at')}) order by e.position)
                        from timeline_events e where e.feedback_id = f.id and e.visibility = 'PUBLIC'), '[]') as timeline
       from feedback f join tickets t on t.id = f.ticket_id where f.tracking_code = $1`,
      [code],
      { prepare: true },
    );
    if (!row || !vars.k || !accessKeyOk(row.id, vars.k)) return { data: { trackFeedback: null } };
    return {
      data: {
        trackFeedback: { trackingCode: row.tracking_code, status: row.status, kind: row.kind, expectedResolutionAt: row.due, timeline: row.timeline },
      },
    };
  }

  // (b) Identity (verify the staff session, load the staff row), then one statement for the page.
  async function tickets(authorization: string | undefined, vars: { n: number }) {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { status: 401, body: { errors: [{ message: 'unauthenticated' }] } };
    const { payload } = await jwtVerify(token, sessionKey, { issuer: 'closeloop', audience: 'closeloop:staff', algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const [member] = await sql`select * from staff where id = ${payload.sub!} limit 1`;
    if (!member || !member.active || member.session_version !== payload.sv) return { status: 401, body: { errors: [{ message: 'unauthenticated' }] } };
    const dept = DEPARTMENT_BOUND.has(member.role) ? (member.department_id ?? NO_DEPARTMENT) : null;
    const rows = await sql.unsafe(
      `select t.id, t.status, t.kind, t.priority, t.level, ${iso('t.received_at')} as received, ${iso('t.first_response_due_at')} as frd,
              ${iso('t.resolution_due_at')} as rd, c.name as customer_name, tr.code as tier_code, s.name as assignee_name,
              c.id as customer_id, s.id as assignee_id
       from tickets t left join customers c on c.id = t.customer_id left join tiers tr on tr.id = c.tier_id
       left join staff s on s.id = t.assignee_id
       ${dept ? 'where t.department_id = $2' : ''} order by t.received_at desc, t.id desc limit $1`,
      dept ? [vars.n + 1, dept] : [vars.n + 1],
      { prepare: true },
    );
    const page = rows.slice(0, vars.n);
    const cursor = (r: (typeof rows)[number]) => Buffer.from(`DC:J:${JSON.stringify([r.received, r.id])}`).toString('base64');
    return {
      status: 200,
      body: {
        data: {
          tickets: {
            edges: page.map((r) => ({
              node: {
                id: globalId('Ticket', r.id), status: r.status, kind: r.kind, priority: r.priority, level: r.level, receivedAt: r.received,
                firstResponseDueAt: r.frd, resolutionDueAt: r.rd,
                customer: r.customer_id ? { name: r.customer_name, tier: r.tier_code ? { code: r.tier_code } : null } : null,
                assignee: r.assignee_id ? { name: r.assignee_name } : null,
              },
            })),
            pageInfo: { hasNextPage: rows.length > vars.n, endCursor: page.length ? cursor(page[page.length - 1]!) : null },
          },
        },
      },
    };
  }

  // (c) Identity (the channel by its publishable key), then the submission service.
  async function submit(channelKey: string | undefined, vars: { i: { kind: string; content: string; category?: string; tags?: string[] } }) {
    const viewer = await signIn(handle.db, await identity.verify(null, channelKey ?? null));
    const r = await services.feedback.submit(viewer, vars.i);
    return {
      data: { submitFeedback: { __typename: 'SubmitFeedbackPayload', trackingCode: r.feedback.trackingCode, accessKey: r.accessKey } },
    };
  }

  // A compiled document: the caller resolved as the product does, then the compiled statement(s) with the
  // request's variables, the database's JSON written as it is.
  async function replay(r: Replay, authorization: string | undefined, channelKey: string | undefined, vars: Record<string, unknown>) {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1] ?? null;
    await signIn(handle.db, await identity.verify(bearer, channelKey ?? null));
    let json = 'null';
    for (const s of r.statements) {
      const params = s.params.map((p) => ('variable' in p ? vars[p.variable] : p.value));
      // Unnamed, as the server's driver sends them: a named statement would switch to a generic plan,
      // which cannot fold the filter's `$n is null or …` parts away.
      const [row] = await sql.unsafe(s.sql, params as never[], { prepare: false });
      json = (row?.json as string | undefined) ?? 'null';
    }
    return `{"data":{"${r.key}":${json}}}`;
  }

  const server = createServer(async (req, res) => {
    try {
      for (const route of options.routes ?? []) if (route(req, res)) return;
      const path = (req.url ?? '/').split('?')[0];
      const body = JSON.parse(await readBody(req)) as { variables: any };
      if (path === '/raw/track') return send(res, 200, await track(body.variables));
      if (path === '/raw/tickets') {
        const r = await tickets(req.headers.authorization, body.variables);
        return send(res, r.status, r.body);
      }
      if (path?.startsWith('/raw/compiled/')) {
        const r = options.replays?.[Number(path.slice('/raw/compiled/'.length))];
        if (!r) return send(res, 404, { errors: [{ message: 'no such replay' }] });
        const text = await replay(r, req.headers.authorization, req.headers['x-closeloop-channel'] as string | undefined, body.variables ?? {});
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
        return;
      }
      if (path === '/raw/submit') return send(res, 200, await submit(req.headers['x-closeloop-channel'] as string | undefined, body.variables));
      send(res, 404, { errors: [{ message: 'not found' }] });
    } catch (e) {
      send(res, 500, { errors: [{ message: (e as Error).message }] });
    }
  });
  return {
    server,
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await sql.end({ timeout: 2 });
      await handle.close();
    },
  };
}
