// Starts the API in-process on port 0 (createApp + createTestDatabase, demo channels seeded) and a real
// Chromium through playwright-core. In CI a missing Chromium fails the suite; locally it skips.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { staff } from '@closeloop/db';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';
import { createApp, type App } from '../../../services/api/src/http/server.ts';
import { seedDemo } from '../../../services/api/src/seed.ts';
import { webRoutes } from '../../../services/api/src/web/routes.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`Chromium is required in CI for the browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}
export const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url);

export interface Env {
  app: App;
  handle: TestDatabase;
  base: string;
  browser: Browser;
  staffToken: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  /** Closes every page opened so far (their live subscriptions end with them). */
  closePages(): Promise<void>;
  close(): Promise<void>;
}

export async function start(): Promise<Env> {
  const handle = await createTestDatabase();
  const secretKey = randomBytes(32);
  const app = createApp({ handle, secretKey, routes: webRoutes({ demo: { db: handle.db, secretKey } }) });
  await seedDemo(handle.db, app.identity, app.services);
  const port = await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const [supervisor] = await handle.db.select().from(staff).where(eq(staff.role, 'SUPERVISOR')).limit(1);
  const staffToken = (await app.identity.issueStaffToken(supervisor!)).token;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const pages: Page[] = [];
  return {
    app,
    handle,
    base,
    browser,
    staffToken,
    async gql(query, variables = {}, token = staffToken) {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    async newPage({ width = 1024, height = 900 } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, baseURL: base });
      const page = await context.newPage();
      pages.push(page);
      // Any CSP violation or page error is a test failure.
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
      });
      (page as Page & { problems: string[] }).problems = problems;
      // Every GraphQL document the page sends, over HTTP and WebSocket (see documentsOf).
      const documents: string[] = [];
      const record = (text: string | null | undefined) => {
        try {
          const body = JSON.parse(text ?? '');
          const query = body.payload?.query ?? body.query;
          if (typeof query === 'string') documents.push(query);
        } catch {} // not JSON: not a GraphQL request
      };
      page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/graphql' && record(r.postData()));
      page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && record(f.payload)));
      (page as Page & { documents: string[] }).documents = documents;
      return page;
    },
    async closePages() {
      for (const page of pages.splice(0)) await page.context().close();
    },
    async close() {
      await browser.close().catch(() => {});
      await app.close().catch(() => {});
      await handle.destroy();
    },
  };
}

export const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;
/** The GraphQL documents the page has sent so far, as their texts. */
export const documentsOf = (page: Page) => (page as Page & { documents: string[] }).documents;

/** The ticket id of a feedback, as staff see it. */
export async function ticketOf(env: Env, trackingCode: string): Promise<string> {
  const d = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: trackingCode });
  return d.trackFeedback.ticket.id;
}

export async function move(env: Env, ticketId: string, status: string, note?: string) {
  const d = await env.gql(
    `mutation($i: TransitionTicketInput!){ transitionTicket(input:$i){ __typename ... on Error { message } } }`,
    { i: { ticketId, status, note } },
  );
  if (d.transitionTicket.__typename !== 'TicketPayload') throw new Error(JSON.stringify(d.transitionTicket));
}

export async function reply(env: Env, ticketId: string, body: string) {
  await env.gql(`mutation($i: AddTicketNoteInput!){ addTicketNote(input:$i){ __typename } }`, { i: { ticketId, body, visibility: 'PUBLIC' } });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return new URL(name, ARTIFACTS).pathname;
}

const require = createRequire(import.meta.url);
/** axe-core's source, evaluated in the page over the DevTools protocol (a CSP does not apply there). */
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function axe(page: Page): Promise<Array<{ id: string; help: string; nodes: unknown[] }>> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n: any) => n.target) }));
  });
}
