// The customer's whole loop in a real browser: submit on the demo website, staff move the ticket
// through the API, the tracker follows live, the survey appears once resolved and the rating is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { feedback, satisfactionRatings } from '@closeloop/db';
import type { Page } from 'playwright-core';
import { trustedDocuments } from '@closeloop/sdk/trusted-documents';
import { documentsOf, hasChromium, move, problemsOf, reply, start, ticketOf, type Env } from './harness.ts';

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b onclick=alert(1)>bold</b>`;

let env: Env;
beforeAll(async () => {
  if (hasChromium) env = await start();
});
afterAll(() => env?.close());

async function submitOnWebsite(page: Page, content: string) {
  await page.goto('/demo/website');
  const form = page.locator('cl-feedback-form');
  await form.getByText('建议', { exact: true }).click();
  await form.locator('textarea').fill(content);
  await form.locator('input#name').fill(`<img src=x onerror="window.__xss=3">张三`);
  await form.locator('#consent').check();
  await form.getByRole('button', { name: '提交反馈' }).click();
  const code = form.locator('[part=tracking-code]');
  await code.waitFor();
  return (await code.textContent())!.trim();
}

/** Counts elements a payload could have smuggled in, through every open shadow root. */
function injected(page: Page) {
  return page.evaluate(() => {
    let count = 0;
    const walk = (root: Document | ShadowRoot) => {
      count += root.querySelectorAll('img, b, script:not([src])').length;
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return { count, xss: (window as { __xss?: number }).__xss ?? null };
  });
}

const status = (page: Page) => page.locator('cl-feedback-tracker [part=status]').textContent();

describe.skipIf(!hasChromium)('live customer loop', () => {
  it('submits, follows staff changes live, shows user content as text, and stores the rating', async () => {
    const page = await env.newPage();
    // Progress arrives over the WebSocket here (the SSE fallback has a test of its own below).
    const overWs: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload === 'string' && JSON.parse(f.payload).type === 'next' && overWs.push(f.payload)));
    const content = `${XSS} 网点排队太久，希望增加窗口。`;
    const code = await submitOnWebsite(page, content);
    expect(code).toMatch(/^FB-/);

    // demo.js shows the tracker for the new feedback; it loads, then goes live.
    await expect.poll(() => status(page)).toBe('已提交');
    const ticketId = await ticketOf(env, code);
    const due = (await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ expectedResolutionAt } }`, { c: code })).trackFeedback.expectedResolutionAt;
    if (due) expect(await page.locator('cl-feedback-tracker [part=expected]').textContent()).toContain('预计');
    await move(env, ticketId, 'ACKNOWLEDGED', '已收到 <img src=x onerror="window.__xss=4">');
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('已受理');
    await reply(env, ticketId, `<script>window.__xss=5</script>我们已安排专人跟进。`);
    await expect.poll(() => page.locator('cl-feedback-tracker [part=timeline]').textContent()).toContain('<script>window.__xss=5</script>我们已安排专人跟进。');
    await move(env, ticketId, 'IN_PROGRESS');
    await expect.poll(() => status(page)).toBe('处理中');

    // User content is text everywhere: in the tracker, in replies, in the form's success view.
    expect(await page.locator('cl-feedback-tracker [part=content]').textContent()).toBe(content);
    expect(await injected(page)).toEqual({ count: 0, xss: null });

    await move(env, ticketId, 'RESOLVED', '已增加两个窗口。');
    const survey = page.locator('cl-satisfaction-survey');
    await survey.waitFor({ timeout: 15_000 });
    await survey.getByRole('radio', { name: /^5 星/ }).check();
    await survey.locator('textarea').fill('处理很快 <img src=x onerror="window.__xss=6">');
    await survey.getByRole('button', { name: '提交评价' }).click();
    await survey.getByText('感谢您的评价！').waitFor();
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('已关闭');

    const [row] = await env.handle.db.select().from(feedback).where(eq(feedback.trackingCode, code));
    const ratings = await env.handle.db.select().from(satisfactionRatings).where(eq(satisfactionRatings.feedbackId, row!.id));
    expect(ratings).toMatchObject([{ rating: 5, comment: '处理很快 <img src=x onerror="window.__xss=6">' }]);
    expect(await injected(page)).toEqual({ count: 0, xss: null });
    expect(problemsOf(page)).toEqual([]);
    // The script's documents are compiled at build time: each text it sent is a trusted document's,
    // byte for byte (the API runs only those for customers in production).
    const trusted = new Map(trustedDocuments().map((d) => [d.body, d.name]));
    expect(overWs.length).toBeGreaterThanOrEqual(4);
    const sent = documentsOf(page);
    expect(new Set(sent.map((d) => trusted.get(d) ?? d))).toEqual(new Set(['SubmitFeedback', 'TrackFeedback', 'FeedbackProgress', 'RateFeedback']));
  });

  it('falls back to SSE when WebSockets are blocked and still updates live', async () => {
    const page = await env.newPage();
    let sockets = 0;
    await page.routeWebSocket(/\/graphql/, (ws) => {
      sockets++;
      ws.close({ code: 1011, reason: 'blocked by a proxy' });
    });
    const sse: string[] = [];
    page.on('request', (r) => {
      if (r.headers().accept?.includes('text/event-stream')) sse.push(r.url());
    });
    const code = await submitOnWebsite(page, 'WebSocket 被拦截时也要实时更新。');
    await expect.poll(() => status(page)).toBe('已提交');
    await expect.poll(() => sse.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const ticketId = await ticketOf(env, code);
    await move(env, ticketId, 'IN_PROGRESS', '处理中');
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('处理中');
    expect(sockets).toBeGreaterThan(0);
    expect(problemsOf(page)).toEqual([]);
  });

  it('shows reconnecting when the connection drops and replays what it missed', async () => {
    const page = await env.newPage();
    let blocked = false;
    const open: Array<{ close(): Promise<void> }> = [];
    await page.routeWebSocket(/\/graphql/, (ws) => {
      if (blocked) return void ws.close({ code: 1011, reason: 'network down' });
      ws.connectToServer();
      open.push(ws);
    });
    const code = await submitOnWebsite(page, '断线重连后不应漏掉进度。');
    await expect.poll(() => status(page)).toBe('已提交');
    await expect.poll(() => open.length).toBeGreaterThan(0);
    const ticketId = await ticketOf(env, code);

    // Record the tracker's connection states: the banner can be brief on a loaded machine, the event is not.
    await page.evaluate(() => {
      const w = window as unknown as { __conn: string[] };
      w.__conn = [];
      document.addEventListener('cl-connection', (e) => w.__conn.push((e as CustomEvent<{ status: string }>).detail.status));
    });
    blocked = true;
    for (const ws of open.splice(0)) await ws.close();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __conn: string[] }).__conn), { timeout: 20_000 }).toContain('reconnecting');
    await move(env, ticketId, 'ACKNOWLEDGED', '断线期间的更新'); // happens while the page is offline
    blocked = false;
    await expect.poll(() => status(page), { timeout: 20_000 }).toBe('已受理');
    await page.locator('cl-feedback-tracker [part~=reconnecting]').waitFor({ state: 'detached' });
    expect(await page.locator('cl-feedback-tracker [part=timeline]').textContent()).toContain('断线期间的更新');
  });

  it('retries a submission whose answer was lost without creating a second feedback', async () => {
    const page = await env.newPage();
    let cut = 0;
    await page.route('**/graphql', async (route) => {
      if (cut === 0 && route.request().postData()?.includes('SubmitFeedback')) {
        cut++;
        await route.fetch(); // the server receives and stores it…
        return route.abort('connectionreset'); // …but the answer never reaches the page
      }
      return route.fallback();
    });
    const content = `断网重试不应重复 ${Date.now()}`;
    const code = await submitOnWebsite(page, content);
    expect(cut).toBe(1);
    const rows = await env.handle.db.select().from(feedback).where(eq(feedback.content, content));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.trackingCode).toBe(code);
  });
});
