// The rough edges issue 14 found on the widget, each checked in real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, move, start, ticketOf, type Env } from './harness.ts';

let env: Env;
beforeAll(async () => {
  if (hasChromium) env = await start();
});
afterAll(() => env?.close());

/** The element focused inside any shadow root. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : null;
  });

describe.skipIf(!hasChromium)('widget details', () => {
  it('the form shows every field error at once, counts code points like the API and never cuts text', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    await page.goto('/demo/website');
    const form = page.locator('cl-feedback-form');
    await form.getByRole('button', { name: '提交反馈' }).click();
    await expect.poll(() => form.locator('#content-error').textContent()).toBe('请至少填写 5 个字');
    expect(await form.locator('#consent-error').textContent()).toBe('请先勾选同意');

    // 5001 emoji: 5001 code points (10002 UTF-16 units), all kept, counted and refused as too long.
    const text = '😀'.repeat(5001);
    await form.locator('textarea').fill(text);
    expect(await form.locator('textarea').inputValue()).toBe(text);
    expect(await form.locator('#content-count').textContent()).toContain('5001 / 5000');
    await form.locator('#consent').check();
    await form.getByRole('button', { name: '提交反馈' }).click();
    await expect.poll(() => form.locator('#content-error').textContent()).toBe('请精简到 5000 字以内');
    await form.locator('textarea').fill('😀'.repeat(5000));
    expect(await form.locator('#content-count').textContent()).toContain('5000 / 5000');
  });

  it("the survey's error clears once a rating is picked; five even star buttons on one line at 360 px", async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    await page.goto('/demo/website');
    const form = page.locator('cl-feedback-form');
    await form.locator('textarea').fill('问卷的星级按钮应整齐。');
    await form.locator('#consent').check();
    await form.getByRole('button', { name: '提交反馈' }).click();
    const code = (await form.locator('[part=tracking-code]').textContent())!.trim();
    await move(env, await ticketOf(env, code), 'RESOLVED', '已处理');
    const survey = page.locator('cl-satisfaction-survey');
    await survey.waitFor({ timeout: 15_000 });
    await survey.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => survey.locator('[part=error]').textContent()).toBe('请选择评分');
    await survey.getByRole('radio', { name: /^4 星/ }).check();
    await expect.poll(() => survey.locator('[part=error]').textContent()).toBe('');
    const boxes = await survey.locator('[part~=star]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ w: Math.round(r.width), top: Math.round(r.top) })));
    expect(boxes).toHaveLength(5);
    expect(new Set(boxes.map((b) => b.w)).size).toBe(1);
    expect(new Set(boxes.map((b) => b.top)).size).toBe(1);
  });

  it('a tracker without a tracking code says so instead of loading forever', async () => {
    const page = await env.newPage();
    await page.goto('/demo/website');
    await expect.poll(() => page.locator('cl-feedback-tracker [part=empty]').textContent()).toBe('请提供跟踪编号以查看处理进度。');
  });

  it('<cl-my-feedback> shows feedback the same page just submitted', async () => {
    const page = await env.newPage();
    await page.goto('/demo/website');
    await page.locator('#signin').click();
    const items = page.locator('cl-my-feedback [part=item-button]');
    await items.first().waitFor();
    const before = await items.count();
    const form = page.locator('cl-feedback-form');
    await form.locator('textarea').fill('同一页面提交后列表应立即更新。');
    await form.locator('#consent').check();
    await form.getByRole('button', { name: '提交反馈' }).click();
    const code = (await form.locator('[part=tracking-code]').textContent())!.trim();
    await expect.poll(() => page.locator('cl-my-feedback [part=list]').textContent(), { timeout: 15_000 }).toContain(code);
    expect(await items.count()).toBe(before + 1);
  });

  it('the portal does not move focus to its back button when opened on a tracking code', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    await page.goto('/demo/website');
    const form = page.locator('cl-feedback-form');
    await form.locator('textarea').fill('门户打开时不应抢焦点。');
    await form.locator('#consent').check();
    await form.getByRole('button', { name: '提交反馈' }).click();
    const code = (await form.locator('[part=tracking-code]').textContent())!.trim();
    const key = (await form.locator('[part=access-key]').textContent())!.trim();
    const portal = await env.newPage({ width: 360, height: 740 });
    await portal.goto(`/portal?channel=pk_web_demo&code=${code}#key=${key}`);
    await portal.locator('cl-feedback-tracker [part=timeline]').waitFor();
    expect(await focused(portal)).not.toBe('button#back');
  });

  it('the demo pages fit a 320 px screen', async () => {
    for (const path of ['/demo/website', '/demo/app-webview', '/demo/mini-program']) {
      const page = await env.newPage({ width: 320, height: 640 });
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      expect({ path, width: await page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({ path, width: 320 });
    }
  });
});
