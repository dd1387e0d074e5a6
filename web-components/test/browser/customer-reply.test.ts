// The customer's half of the conversation in a real browser (issue 14): staff ask a question, the customer
// answers with a photo from the tracker, the ticket leaves AWAITING_CUSTOMER, staff see the photo through
// the API, and the customer sees the next staff reply live; also over SSE and through a cut connection.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { feedback, tickets, timelineEvents } from '@closeloop/db';
import type { Page } from 'playwright-core';
import { artifactPath, axe, hasChromium, move, problemsOf, reply, start, ticketOf, type Env } from './harness.ts';

// A 1200×900 photo (the API's test fixture): its thumbnail is 320×240.
const PHOTO = readFileSync(new URL('../../../services/api/test/fixtures/photo-1200x900.jpg', import.meta.url));
// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let env: Env;
beforeAll(async () => {
  if (hasChromium) env = await start();
});
afterAll(() => env?.close());

async function submitOnWebsite(page: Page, content: string) {
  await page.goto('/demo/website');
  const form = page.locator('cl-feedback-form');
  await form.locator('textarea').fill(content);
  await form.locator('#consent').check();
  await form.getByRole('button', { name: '提交反馈' }).click();
  const code = form.locator('[part=tracking-code]');
  await code.waitFor();
  return (await code.textContent())!.trim();
}

/** The element focused inside any shadow root. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : null;
  });

const status = (page: Page) => page.locator('cl-feedback-tracker [part=status]').textContent();
const tracker = (page: Page) => page.locator('cl-feedback-tracker');

async function askQuestion(page: Page, code: string, question: string) {
  const ticketId = await ticketOf(env, code);
  await move(env, ticketId, 'ACKNOWLEDGED');
  await move(env, ticketId, 'AWAITING_CUSTOMER', question);
  await expect.poll(() => status(page), { timeout: 15_000 }).toBe('待您回复');
  await expect.poll(() => tracker(page).locator('[part=question]').textContent()).toContain(question);
  return ticketId;
}

const customerMessages = async (code: string) => {
  const [f] = await env.handle.db.select().from(feedback).where(eq(feedback.trackingCode, code));
  return (await env.handle.db.select().from(timelineEvents).where(eq(timelineEvents.feedbackId, f!.id))).filter((e) => e.type === 'CUSTOMER_MESSAGE');
};

describe.skipIf(!hasChromium)('customer replies', () => {
  it('answers the staff question with a photo; the ticket resumes; staff see the photo; the next reply arrives live', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    const code = await submitOnWebsite(page, '转账被重复扣款两次，请核实。');
    const ticketId = await askQuestion(page, code, '请提供扣款记录的截图。');

    const box = tracker(page).locator('cl-message-box');
    await box.locator('textarea').fill('截图在这里，两笔都是 500 元。😀');
    await box.locator('input[type=file]').setInputFiles({ name: '扣款记录.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => box.locator('[part=file]').textContent()).toContain('扣款记录.png');

    // axe and the screenshot while the message box, the question and the controls are on screen (zh-CN, 360×740).
    const violations = await axe(page);
    expect(violations).toEqual([]);
    await page.screenshot({ path: artifactPath('tracker-reply-360x740-zh-CN.png'), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);

    await box.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('处理中');
    await expect.poll(() => tracker(page).locator('img[part=thumbnail]').count()).toBe(1);
    await expect.poll(() => tracker(page).locator('img[part=thumbnail]').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

    // The ticket left AWAITING_CUSTOMER and its SLA pause ended.
    const [t] = await env.handle.db.select().from(tickets).where(eq(tickets.id, Buffer.from(ticketId, 'base64').toString().split(':')[1]!));
    expect(t!.status).toBe('IN_PROGRESS');
    expect(t!.slaPauses.every((p) => p.to !== null)).toBe(true);

    // Staff see the photo through the API.
    const d = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { timeline { type body attachments { filename mediaType url } } } } }`, { c: code });
    const msg = d.trackFeedback.ticket.timeline.find((e: { type: string }) => e.type === 'CUSTOMER_MESSAGE');
    expect(msg).toMatchObject({ body: '截图在这里，两笔都是 500 元。😀', attachments: [{ filename: '扣款记录.png', mediaType: 'image/png' }] });
    const bytes = Buffer.from(await (await fetch(env.base + msg.attachments[0].url)).arrayBuffer());
    expect(bytes.equals(PNG)).toBe(true);

    // The next staff reply reaches the customer live.
    await reply(env, ticketId, '已核实，将退还一笔 500 元。');
    await expect.poll(() => tracker(page).locator('[part=timeline]').textContent(), { timeout: 15_000 }).toContain('已核实，将退还一笔 500 元。');
    expect(problemsOf(page)).toEqual([]);
  });

  it('works over SSE when WebSockets are blocked, with a photo; the tracker shows its thumbnail', async () => {
    const page = await env.newPage();
    await page.routeWebSocket(/\/graphql/, (ws) => ws.close({ code: 1011, reason: 'blocked by a proxy' }));
    const code = await submitOnWebsite(page, 'WebSocket 被拦截时也能回复客服。');
    const key = (await page.locator('cl-feedback-form [part=access-key]').textContent())!.trim();
    const ticketId = await askQuestion(page, code, '请问是哪一张卡？');
    const box = tracker(page).locator('cl-message-box');
    await box.locator('textarea').fill('尾号 1234 的借记卡，卡面照片见附件');
    await box.locator('input[type=file]').setInputFiles({ name: '卡面.jpg', mimeType: 'image/jpeg', buffer: PHOTO });
    await box.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('处理中');
    await reply(env, ticketId, '好的，正在处理。');
    await expect.poll(() => tracker(page).locator('[part=timeline]').textContent(), { timeout: 15_000 }).toContain('好的，正在处理。');
    // Once the thumbnail is made (just after the upload), the tracker shows it, 320 px wide, not the 1200 px photo.
    await env.app.services.attachments.thumbnailsSettled();
    const again = await page.context().newPage();
    await again.goto(`/portal?channel=pk_web_demo&code=${code}#key=${key}`);
    const img = tracker(again).locator('img[part=thumbnail]');
    await expect.poll(() => img.getAttribute('src'), { timeout: 15_000 }).toContain('mode=t');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(320);
    expect(problemsOf(page)).toEqual([]);
  });

  it('a message whose answer is lost is sent again with the same key and stored once', async () => {
    const page = await env.newPage();
    let cut = 0;
    await page.route('**/graphql', async (route) => {
      if (cut === 0 && route.request().postData()?.includes('ReplyToFeedback')) {
        cut++;
        await route.fetch(); // the server receives and stores it…
        return route.abort('connectionreset'); // …but the answer never reaches the page
      }
      return route.fallback();
    });
    const code = await submitOnWebsite(page, '网络中断时留言不应重复。');
    await askQuestion(page, code, '请补充交易时间。');
    const box = tracker(page).locator('cl-message-box');
    await box.locator('textarea').fill('昨天下午三点');
    await box.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('处理中');
    expect(cut).toBe(1);
    expect((await customerMessages(code)).map((e) => e.body)).toEqual(['昨天下午三点']);
  });

  it('keeps a message sent offline and delivers it once when the connection returns, also after a reload', async () => {
    const page = await env.newPage();
    const code = await submitOnWebsite(page, '离线时的留言应在恢复后送达。');
    const key = (await page.locator('cl-feedback-form [part=access-key]').textContent())!.trim();
    await askQuestion(page, code, '请说明交易地点。');
    const box = tracker(page).locator('cl-message-box');
    await page.context().setOffline(true);
    await box.locator('textarea').fill('上海南京路网点');
    await box.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => box.locator('[part=banner]').textContent(), { timeout: 40_000 }).toContain('留言已保存');
    await page.context().setOffline(false); // the browser's `online` event sends it
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('处理中');
    expect((await customerMessages(code)).map((e) => e.body)).toEqual(['上海南京路网点']);

    // Lost for good on this page (every attempt fails), then the customer opens the portal again.
    await page.route('**/graphql', (route) => (route.request().postData()?.includes('ReplyToFeedback') ? route.abort('connectionreset') : route.fallback()));
    await box.locator('textarea').fill('补充：时间是下午三点');
    await box.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => box.locator('[part=banner]').textContent(), { timeout: 40_000 }).toContain('留言已保存');
    const again = await page.context().newPage();
    await again.goto(`/portal?channel=pk_web_demo&code=${code}#key=${key}`);
    await expect.poll(async () => (await customerMessages(code)).map((e) => e.body), { timeout: 30_000 }).toEqual(['上海南京路网点', '补充：时间是下午三点']);
  });

  it('refuses a file named .png whose bytes are HTML, and says so beside the file', async () => {
    const page = await env.newPage();
    const code = await submitOnWebsite(page, '上传伪装文件应被拒绝。');
    await askQuestion(page, code, '请上传凭证。');
    const box = tracker(page).locator('cl-message-box');
    await box.locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><script>alert(1)</script>') });
    await box.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => box.locator('[part=file]').textContent()).toContain('只能上传');
    expect(await customerMessages(code)).toEqual([]);
    expect(await status(page)).toBe('待您回复');
  });

  it('works with the keyboard alone: write, attach (focusable), send; the withdraw form takes and returns focus', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    const code = await submitOnWebsite(page, '键盘也能回复客服。');
    await askQuestion(page, code, '请确认手机号。');
    const box = tracker(page).locator('cl-message-box');
    await box.locator('textarea').focus();
    await page.keyboard.type('138 0000 0000');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('input'); // the file picker, reachable by keyboard
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button');
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('处理中');
    expect((await customerMessages(code)).map((e) => e.body)).toEqual(['138 0000 0000']);

    const actions = tracker(page).locator('cl-case-actions');
    await actions.locator('#withdraw').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('textarea#reason');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // cancel
    await expect.poll(() => focused(page)).toBe('button#withdraw');
  });

  it('withdraws open feedback from the tracker with a reason', async () => {
    const page = await env.newPage();
    const code = await submitOnWebsite(page, '我想撤回这条投诉。');
    const actions = tracker(page).locator('cl-case-actions');
    await actions.getByRole('button', { name: '撤回反馈' }).click();
    await actions.locator('textarea').fill('已在网点解决');
    expect(await axe(page)).toEqual([]);
    await actions.getByRole('button', { name: '确认撤回' }).click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('已关闭');
    const d = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { outcome } timeline { type body } } }`, { c: code });
    expect(d.trackFeedback.ticket.outcome).toBe('WITHDRAWN');
    expect(d.trackFeedback.timeline.at(-1)).toEqual({ type: 'WITHDRAWN', body: '已在网点解决' });
  });

  it('asks for a review of a resolution from the tracker', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    const code = await submitOnWebsite(page, '对处理结果不满意时可申请复核。');
    await move(env, await ticketOf(env, code), 'RESOLVED', '已按规定处理。');
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('已解决');
    const actions = tracker(page).locator('cl-case-actions');
    await actions.getByRole('button', { name: '对结果有异议，申请复核' }).click();
    await actions.locator('textarea').fill('只退了一半费用');
    await actions.getByRole('button', { name: '提交复核申请' }).click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('处理中');
    await expect.poll(() => tracker(page).locator('[part=timeline]').textContent()).toContain('您已申请复核');
    const d = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { level reviewRequestedAt } } }`, { c: code });
    expect(d.trackFeedback.ticket.reviewRequestedAt).not.toBeNull();
  });
});
