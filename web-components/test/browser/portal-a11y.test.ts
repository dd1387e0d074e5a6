// The hosted portal as a web-view opens it, accessibility (axe-core), keyboard-only use and small screens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { feedback } from '@closeloop/db';
import type { Page } from 'playwright-core';
import { artifactPath, axe, hasChromium, move, problemsOf, start, ticketOf, type Env } from './harness.ts';

let env: Env;
beforeAll(async () => {
  if (hasChromium) env = await start();
});
afterAll(() => env?.close());

async function portalTicket(channel: string): Promise<string> {
  const res = await fetch(`${env.base}/demo/portal-ticket?channel=${channel}`, { method: 'POST' });
  return ((await res.json()) as { ticket: string }).ticket;
}

/** The element focused inside any shadow root. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : null;
  });

async function tabTo(page: Page, target: string, max = 30) {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === target) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}; at ${await focused(page)}`);
}

describe.skipIf(!hasChromium)('hosted portal', () => {
  it('signs in with a single-use ticket, removes it from the address bar, lists and tracks the feedback', async () => {
    const ticket = await portalTicket('pk_app_demo');
    const page = await env.newPage({ width: 360, height: 740 });
    await page.goto(`/portal?ticket=${ticket}&channel=pk_app_demo`);
    const items = page.locator('cl-my-feedback [part=item-button]');
    await items.first().waitFor();
    expect(page.url()).not.toContain(ticket);
    expect(await items.count()).toBeGreaterThanOrEqual(2); // the demo customer's seeded feedback

    // Statuses in the list are live: staff move the newest open one.
    const code = (await items.first().locator('strong').textContent())!.split('·')[1]!.trim();
    const open = (await items.first().locator('[part=status]').textContent())!.trim();
    if (open !== '已关闭') {
      const ticketId = await ticketOf(env, code);
      const next: Record<string, string> = { 已提交: 'ACKNOWLEDGED', 已受理: 'IN_PROGRESS', 处理中: 'RESOLVED', 待您回复: 'RESOLVED', 已解决: 'CLOSED' };
      await move(env, ticketId, next[open]!);
      await expect.poll(() => items.first().locator('[part=status]').textContent(), { timeout: 15_000 }).not.toBe(open);
    }
    await items.first().click();
    await page.locator('cl-feedback-tracker [part=timeline]').waitFor();
    expect(await page.locator('cl-feedback-tracker [part=event]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('portal-signed-in-360x740.png') });

    // The same link again: the ticket is spent.
    const again = await env.newPage();
    await again.goto(`/portal?ticket=${ticket}&channel=pk_app_demo`);
    await again.locator('#message').waitFor();
    expect(await again.locator('#message').textContent()).toContain('失效');
    expect(problemsOf(page)).toEqual([]);
  });

  it('takes a token from the parent page named in ?origin= once it has said it is ready', async () => {
    const page = await env.newPage();
    await page.goto('/demo/website'); // any page of the API's origin, which /portal lets frame it
    const signedIn = await page.evaluate(async (base) => {
      const { token } = await (await fetch('/demo/customer-token?channel=pk_web_demo', { method: 'POST' })).json();
      const frame = document.createElement('iframe');
      const ready = new Promise<void>((resolve) =>
        addEventListener('message', (e) => e.source === frame.contentWindow && e.data?.type === 'closeloop:ready' && resolve()),
      );
      frame.src = `/portal?channel=pk_web_demo&origin=${encodeURIComponent(base)}`;
      document.body.append(frame);
      await ready;
      frame.contentWindow!.postMessage({ type: 'closeloop:token', token }, base);
      const doc = frame.contentDocument!;
      for (let i = 0; i < 100 && doc.getElementById('tabs')!.hidden; i++) await new Promise((r) => setTimeout(r, 100));
      return !doc.getElementById('tabs')!.hidden && !doc.getElementById('mine')!.hidden;
    }, env.base);
    expect(signedIn).toBe(true);
    expect(problemsOf(page)).toEqual([]);
  });

  it('is usable with the keyboard alone, at 360×740, and axe finds no violations', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    await page.goto('/portal?channel=pk_mini_demo');
    await page.locator('cl-feedback-form textarea').waitFor();
    expect(await axe(page)).toEqual([]);

    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight'); // kind: the radio group moves with arrows
    await tabTo(page, 'textarea#content');
    const content = `键盘提交 ${Date.now()}`;
    await page.keyboard.type(content);
    await tabTo(page, 'input#consent');
    await page.keyboard.press('Space');
    await tabTo(page, 'button');
    await page.keyboard.press('Enter');
    await page.locator('cl-feedback-form [part=tracking-code]').waitFor();
    expect(await focused(page)).toBe('h2#done'); // focus moves to the result for screen readers
    const [row] = await env.handle.db.select().from(feedback).where(eq(feedback.content, content));
    expect(row?.kind).toBe('SUGGESTION');
    expect(row?.channel).toBe('MINI_PROGRAM');
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: artifactPath('portal-submitted-360x740.png'), fullPage: true });

    // Keyboard on to the tracker.
    await tabTo(page, 'button', 5);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // "查看进度"
    await page.locator('cl-feedback-tracker [part=stepper]').waitFor();
    expect(await axe(page)).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
  });

  it('shows field errors from the API beside the fields and focuses the first', async () => {
    const page = await env.newPage({ width: 360, height: 740 });
    await page.goto('/portal?channel=pk_web_demo');
    const form = page.locator('cl-feedback-form');
    await form.locator('textarea').fill('短');
    await form.locator('input#email').fill('not-an-email');
    await form.locator('#consent').check();
    await form.getByRole('button', { name: '提交反馈' }).click();
    await expect.poll(() => form.locator('#content-error').textContent()).toBe('请至少填写 5 个字');
    expect(await form.locator('#email-error').textContent()).toBe('邮箱格式不正确');
    expect(await form.locator('textarea').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toBe('textarea#content');
    expect(await axe(page)).toEqual([]);
  });

  it('fits a 320 px screen and speaks English and Traditional Chinese when asked', async () => {
    const page = await env.newPage({ width: 320, height: 640 });
    await page.goto('/portal?channel=pk_web_demo&lang=en');
    await page.locator('cl-feedback-form').getByRole('button', { name: 'Send feedback' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const small = await page.evaluate(() => {
      const out: string[] = [];
      const walk = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('button, select, input:not([type=radio]), textarea, [part=chip]')) {
          // A checkbox's target is its label (the whole row).
          const r = (el.matches('[type=checkbox]') ? el.closest('label')! : el).getBoundingClientRect();
          if (r.width > 0 && (r.height < 44 || r.width < 44)) out.push(`${el.tagName} ${r.width}x${r.height}`);
        }
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
      };
      walk(document);
      return out;
    });
    expect(small).toEqual([]);
    const tw = await env.newPage({ width: 360, height: 740 });
    await tw.goto('/portal?channel=pk_web_demo&lang=zh-TW');
    await tw.locator('cl-feedback-form').getByRole('button', { name: '提交意見' }).waitFor();
  });

  it('the demo host pages work and pass axe', async () => {
    const page = await env.newPage();
    await page.goto('/demo/website');
    await page.locator('cl-feedback-form textarea').waitFor();
    expect(await axe(page)).toEqual([]);

    // The mini-program demo opens the portal in a 360 × 740 frame with a fresh ticket, from the URL alone.
    const mini = await env.newPage({ width: 1200, height: 900 });
    await mini.goto('/demo/mini-program');
    const portal = mini.frameLocator('#webview');
    await portal.locator('cl-my-feedback [part=item-button]').first().waitFor();
    expect(await mini.locator('#webview').evaluate((f: HTMLIFrameElement) => f.contentWindow!.location.search)).not.toContain('ticket=');
    expect(await axe(mini)).toEqual([]);
    await mini.screenshot({ path: artifactPath('demo-mini-program.png') });
    expect(problemsOf(mini)).toEqual([]);
  });
});
