// The operations console in a real Chromium against the in-process API (web-components' harness):
// an agent works a ticket submitted through the widget while the customer and a second agent watch
// live; an auditor sees no control that changes anything; departments stay apart; axe on every
// screen; keyboard-only handling; screenshots of the queue and a ticket at desktop and phone sizes.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { artifactPath, axe, hasChromium, move, problemsOf, start, ticketOf, type Env } from '../../../web-components/test/browser/harness.ts';
import { seedDemoVolume } from '../../../services/api/src/demo-volume.ts';

const PASSWORD = 'closeloop-demo';
// A 1200×900 photo (the API's test fixture): its thumbnail is 320×240.
const PHOTO = readFileSync(new URL('../../../services/api/test/fixtures/photo-1200x900.jpg', import.meta.url));
const AGENT = 'agent@demo.closeloop.dev';
const SENIOR = 'senior@demo.closeloop.dev';
const CREDIT_AGENT = 'credit.agent@demo.closeloop.dev';
const AUDITOR = 'auditor@demo.closeloop.dev';
const ADMIN = 'admin@demo.closeloop.dev';

let env: Env;
beforeAll(async () => {
  if (!hasChromium) return;
  env = await start();
  await env.gql(`mutation($i: CreateReplyTemplateInput!) { createReplyTemplate(input: $i) { __typename } }`, {
    i: { name: 'Acknowledge', locale: 'en', body: 'Dear customer, we are looking into {{trackingCode}} now.' },
  });
}, 600_000); // the demo seed on a busy two-core machine has taken over two minutes
afterAll(() => env?.close());

async function signIn(page: Page, email: string) {
  await page.goto('/console');
  await page.locator('cl-console input#email').fill(email);
  await page.locator('cl-console input[name=password]').fill(PASSWORD);
  await page.locator('cl-console [data-testid=sign-in]').click();
  await page.locator('cl-queue').waitFor();
}

async function submitOnWebsite(page: Page, content: string) {
  await page.goto('/demo/website');
  const form = page.locator('cl-feedback-form');
  await form.getByText('投诉', { exact: true }).click();
  await form.locator('textarea').fill(content);
  await form.locator('#consent').check();
  await form.getByRole('button', { name: '提交反馈' }).click();
  const code = form.locator('[part=tracking-code]');
  await code.waitFor();
  return (await code.textContent())!.trim();
}

const row = (page: Page, ticketId: string) => page.locator(`cl-queue .item[data-ticket="${ticketId}"]`);
const violations = async (page: Page) => (await axe(page)).map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`);

async function tokenOf(email: string): Promise<string> {
  const d = await env.gql(`mutation($i: LoginInput!) { login(input: $i) { ... on LoginPayload { token } } }`, { i: { email, password: PASSWORD } });
  return d.login.token;
}

describe.skipIf(!hasChromium)('operations console', () => {
  let ticketId = '';
  let code = '';

  it('an agent finds a ticket just submitted, acknowledges it and replies with a template; the customer and a second agent see it live', async () => {
    const customer = await env.newPage();
    const second = await env.newPage({ width: 1440, height: 900 });
    await signIn(second, SENIOR);
    code = await submitOnWebsite(customer, '网点排队太久，柜员态度也不好，希望改进。');
    ticketId = await ticketOf(env, code);
    // The second agent's queue shows the new ticket without a reload.
    await row(second, ticketId).waitFor({ timeout: 15_000 });

    const agent = await env.newPage({ width: 1440, height: 900 });
    await signIn(agent, AGENT);
    expect(await violations(agent)).toEqual([]);
    await agent.locator('cl-queue #search').fill(code);
    await agent.locator('cl-queue #search').press('Enter');
    await expect.poll(() => agent.locator('cl-queue .item').count()).toBe(1);
    await agent.screenshot({ path: artifactPath('console-queue-1440x900.png') });
    await row(agent, ticketId).click();
    await agent.locator('cl-ticket [data-testid=timeline]').waitFor();
    expect(await violations(agent)).toEqual([]);

    await agent.locator('cl-ticket-actions [data-transition=ACKNOWLEDGED]').click();
    await expect.poll(() => agent.locator('cl-ticket [data-testid=ticket-status] sl-badge').textContent()).toBe('Acknowledged');
    await agent.locator('cl-ticket [data-testid=template]').selectOption({ label: 'Acknowledge' });
    await expect.poll(() => agent.locator('cl-ticket [data-testid=composer]').inputValue()).toBe(`Dear customer, we are looking into ${code} now.`);
    await agent.locator('cl-ticket [data-testid=send]').click();
    await expect.poll(() => agent.locator('cl-ticket [data-testid=timeline] [data-visibility=PUBLIC]').allTextContents())
      .toContainEqual(expect.stringContaining(`we are looking into ${code}`));
    await agent.screenshot({ path: artifactPath('console-ticket-1440x900.png'), fullPage: true });

    // The customer's tracker shows the reply live; the second agent's queue shows the new status.
    await expect.poll(() => customer.locator('cl-feedback-tracker [part=timeline]').textContent(), { timeout: 15_000 }).toContain(`we are looking into ${code}`);
    await expect.poll(() => row(second, ticketId).textContent(), { timeout: 15_000 }).toContain('Acknowledged');

    // An internal note stays internal: marked so in the console, never shown to the customer.
    await agent.locator('cl-ticket input[value=INTERNAL]').check();
    await agent.locator('cl-ticket [data-testid=composer]').fill('Branch manager informed.');
    await agent.locator('cl-ticket [data-testid=send]').click();
    await expect.poll(() => agent.locator('cl-ticket [data-testid=timeline] [data-visibility=INTERNAL]').allTextContents())
      .toContainEqual(expect.stringContaining('Branch manager informed.'));
    expect(await customer.locator('cl-feedback-tracker [part=timeline]').textContent()).not.toContain('Branch manager informed.');
    for (const p of [customer, second, agent]) expect(problemsOf(p)).toEqual([]);
  });

  it('fits a phone screen (queue and ticket at 390×844)', async () => {
    const page = await env.newPage({ width: 390, height: 844 });
    await signIn(page, AGENT);
    await row(page, ticketId).waitFor();
    await page.screenshot({ path: artifactPath('console-queue-390x844.png') });
    await row(page, ticketId).click();
    await page.locator('cl-ticket [data-testid=timeline]').waitFor();
    await page.screenshot({ path: artifactPath('console-ticket-390x844.png'), fullPage: true });
    expect(await violations(page)).toEqual([]);
  });

  it("shows the customer's photo in the ticket timeline as a thumbnail that opens the file", async () => {
    const customer = await env.newPage();
    const photoCode = await submitOnWebsite(customer, '转账被重复扣款，凭证照片见附件。');
    const key = (await customer.locator('cl-feedback-form [part=access-key]').textContent())!.trim();
    // The customer answers with a photo through the API the widget uses (upload ticket, PUT, message).
    const call = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(`${env.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-closeloop-channel': 'pk_web_demo' }, body: JSON.stringify({ query, variables }) });
      return ((await res.json()) as { data: any }).data;
    };
    const up = await call(`mutation($i: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $i) { ... on AttachmentUpload { uploadUrl } } }`, { i: { trackingCode: photoCode, accessKey: key, filename: '凭证.jpg' } });
    const put = await fetch(env.base + up.createAttachmentUpload.uploadUrl, { method: 'PUT', body: new Uint8Array(PHOTO) });
    const { id } = (await put.json()) as { id: string };
    const sent = await call(`mutation($i: ReplyToFeedbackInput!) { replyToFeedback(input: $i) { __typename } }`, { i: { trackingCode: photoCode, accessKey: key, body: '凭证照片', attachments: [id] } });
    expect(sent.replyToFeedback.__typename).toBe('ReplyToFeedbackPayload');
    await env.app.services.attachments.thumbnailsSettled();

    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, AGENT);
    await page.goto(`/console#/ticket/${encodeURIComponent(await ticketOf(env, photoCode))}`);
    const img = page.locator('cl-ticket [data-testid=timeline] .files img');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth), { timeout: 15_000 }).toBe(320);
    expect(await img.getAttribute('src')).toContain('mode=t');
    expect(await img.getAttribute('alt')).toBe('凭证.jpg');
    expect(await page.locator('cl-ticket [data-testid=timeline] .files a').getAttribute('href')).toContain('mode=a');
    expect(await violations(page)).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
  });

  it('is usable with the keyboard alone', async () => {
    const page = await env.newPage({ width: 1440, height: 900 });
    await page.goto('/console');
    await page.locator('cl-console input#email').waitFor();
    await page.keyboard.type(AGENT); // the e-mail field has focus
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('cl-queue .item').first().waitFor();
    // "/" searches; Enter there runs the search; then j/k move and Enter opens.
    await page.keyboard.press('/');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('cl-queue .item').count()).toBe(1);
    await page.locator('cl-queue lit-virtualizer').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.locator('cl-ticket [data-testid=timeline]').waitFor();
    // Tab to the IN_PROGRESS transition and press Enter.
    for (let i = 0; i < 40; i++) {
      const at = await page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.closest('sl-button')?.getAttribute('data-transition') ?? (el?.getRootNode() as ShadowRoot)?.host?.getAttribute?.('data-transition') ?? null;
      });
      if (at === 'IN_PROGRESS') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('cl-ticket [data-testid=ticket-status] sl-badge').textContent()).toBe('In progress');
  });

  it('shows an auditor no control that changes anything, and the API refuses when forced', async () => {
    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, AUDITOR);
    await row(page, ticketId).waitFor();
    expect(await page.locator('cl-queue sl-button').count()).toBe(0); // no "save as view"
    await page.goto(`/console#/ticket/${encodeURIComponent(ticketId)}`);
    await page.locator('cl-ticket [data-testid=timeline]').waitFor();
    expect(await page.locator('cl-ticket-actions').count()).toBe(0);
    expect(await page.locator('cl-ticket [data-testid=composer]').count()).toBe(0);
    expect(await page.locator('cl-ticket [data-transition]').count()).toBe(0);
    expect(await violations(page)).toEqual([]);

    await page.goto('/console#/audit');
    await page.locator('cl-audit [data-testid=verify-chain]').click();
    await expect.poll(() => page.locator('cl-audit [data-testid=chain-result]').textContent()).toContain('Chain intact');
    expect(await violations(page)).toEqual([]);

    const token = await tokenOf(AUDITOR);
    const forced = await env.gql(`mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { __typename ... on Error { code } } }`, { i: { ticketId, status: 'RESOLVED' } }, token);
    expect(forced.transitionTicket).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });

  it("never shows an agent another department's tickets in the queue, search or by address", async () => {
    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, CREDIT_AGENT);
    await expect.poll(() => page.locator('cl-queue [data-testid=queue-count]').textContent()).not.toBe('Loading…');
    expect(await row(page, ticketId).count()).toBe(0);
    await page.locator('cl-queue #search').fill(code);
    await page.locator('cl-queue #search').press('Enter');
    await expect.poll(() => page.locator('cl-queue [data-testid=queue-count]').textContent()).toMatch(/^0 /);
    await page.goto(`/console#/ticket/${encodeURIComponent(ticketId)}`);
    await page.locator('cl-ticket .error').waitFor();
    expect(await page.locator('cl-ticket [data-testid=timeline]').count()).toBe(0);
    // Consulted as a collaborator, the credit department sees the ticket and its timeline; removed, no longer.
    const { departments } = await env.gql(`{ departments { id code } }`);
    const i = { ticketId, departmentId: departments.find((d: { code: string }) => d.code === 'CREDIT').id };
    const added = await env.gql(`mutation($i: TicketCollaboratorInput!) { addTicketCollaborator(input: $i) { __typename } }`, { i });
    expect(added.addTicketCollaborator.__typename).toBe('TicketPayload');
    await page.reload();
    await page.locator('cl-ticket [data-testid=timeline]').waitFor();
    const removed = await env.gql(`mutation($i: TicketCollaboratorInput!) { removeTicketCollaborator(input: $i) { __typename } }`, { i });
    expect(removed.removeTicketCollaborator.__typename).toBe('TicketPayload');
    await page.reload();
    await page.locator('cl-ticket .error').waitFor();
    expect(await page.locator('cl-ticket [data-testid=timeline]').count()).toBe(0);
  });

  it('administration: axe-clean, routing rules tried on a sample feedback', async () => {
    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, ADMIN);
    await page.goto('/console#/admin/routing');
    await page.locator('cl-admin-routing textarea[name=content]').fill('My credit card was charged twice');
    await page.locator('cl-admin-routing [data-action=test]').click();
    await expect.poll(() => page.locator('cl-admin-routing [data-testid=routing-result]').textContent()).toContain('credit');
    expect(await violations(page)).toEqual([]);
    await page.goto('/console#/admin/templates');
    await page.locator('cl-admin table').waitFor();
    expect(await page.locator('cl-admin table').textContent()).toContain('Acknowledge');
    expect(await violations(page)).toEqual([]);
  });

  it('signs out, and a revoked or expired session returns to the sign-in', async () => {
    const page = await env.newPage();
    await signIn(page, AGENT);
    await page.locator('cl-console [data-testid=sign-out]').click();
    await page.locator('cl-console input#email').waitFor();
    expect(await violations(page)).toEqual([]);
    // A session the server no longer accepts (here: a forged one) ends in the sign-in with a notice.
    await page.evaluate(() => sessionStorage.setItem('closeloop.console.session', JSON.stringify({ token: 'x.y.z', expiresAt: new Date(Date.now() + 3600e3).toISOString() })));
    await page.reload();
    await page.locator('cl-console input#email').waitFor();
  });

  it('a supervisor reassigns, escalates, merges and unlinks', async () => {
    const submit = async (content: string) => {
      const d = await env.gql(`mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { ... on SubmitFeedbackPayload { trackingCode } } }`,
        { i: { kind: 'COMPLAINT', channel: 'PHONE', content, customerExternalId: 'demo-cust-003' } });
      return d.submitFeedback.trackingCode as string;
    };
    const a = await submit('人民路 ATM 无法取款，屏幕黑屏。');
    const b = await submit('人民路 ATM 坏了，今天取不了钱。');
    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, 'supervisor@demo.closeloop.dev');
    await page.goto(`/console#/ticket/${encodeURIComponent(await ticketOf(env, a))}`);
    const actions = page.locator('cl-ticket-actions');
    await actions.waitFor();
    const members = (await env.gql(`{ staffMembers { id email } }`)).staffMembers as Array<{ id: string; email: string }>;
    await actions.locator('select[name=assignee]').selectOption(members.find((m) => m.email === SENIOR)!.id);
    await actions.locator('form', { has: page.locator('select[name=assignee]') }).locator('sl-button[type=submit]').click();
    await expect.poll(() => page.locator('cl-ticket [data-testid=ticket-status]').textContent()).toContain('Li Qiang');
    await actions.getByText('Escalate', { exact: true }).first().click();
    await actions.locator('input[name=reason]').fill('Needs the branch manager');
    await actions.locator('input[name=reason]').press('Enter');
    await expect.poll(() => page.locator('cl-ticket [data-testid=ticket-status]').textContent()).toContain('Level: L2');
    await actions.getByText('Merge tickets', { exact: true }).first().click();
    await actions.locator('input[name=codes]').fill(b);
    await actions.locator('input[name=codes]').press('Enter');
    await expect.poll(() => page.locator('cl-ticket h1').textContent()).toContain(b);
    // (The section is still open.)
    await actions.locator('sl-button', { hasText: 'Unlink' }).last().click();
    await expect.poll(() => page.locator('cl-ticket h1').textContent()).not.toContain(b);
    expect(problemsOf(page)).toEqual([]);
  });

  it('marks tickets with x and assigns them in bulk', async () => {
    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, 'supervisor@demo.closeloop.dev');
    await page.locator('cl-queue .item').nth(1).waitFor();
    await page.locator('cl-queue lit-virtualizer').focus();
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    expect(await page.locator('cl-queue .item[aria-selected=true]').count()).toBe(2);
    await page.locator('cl-queue [data-testid=bulk] sl-button', { hasText: 'Assign to me' }).click();
    await expect.poll(() => page.locator('cl-queue .item').nth(0).textContent()).toContain('Liu Yang');
    expect(await page.locator('cl-queue .item').nth(1).textContent()).toContain('Liu Yang');
    expect(await page.locator('cl-queue .item[aria-selected=true]').count()).toBe(0);
    expect(await violations(page)).toEqual([]);
  });

  it('an admin creates a staff member who must change the one-time password at first sign-in, and rotates a channel secret', async () => {
    const admin = await env.newPage({ width: 1440, height: 900 });
    await signIn(admin, ADMIN);
    await admin.goto('/console#/admin/staff');
    const form = admin.locator('cl-admin-staff form', { has: admin.locator('input[name=email]') });
    await form.locator('input[name=email]').fill('new.agent@demo.closeloop.dev');
    await form.locator('input[name=name]').fill('New Agent');
    await form.locator('select[name=role]').selectOption('AGENT');
    await form.locator('select[name=department]').selectOption({ index: 1 });
    await form.locator('sl-button[type=submit]').click();
    const secret = admin.locator('cl-admin-staff [data-testid=secret] code');
    await secret.waitFor();
    const initial = (await secret.textContent())!.trim();
    expect(await violations(admin)).toEqual([]);

    const first = await env.newPage();
    await first.goto('/console');
    await first.locator('cl-console input#email').fill('new.agent@demo.closeloop.dev');
    await first.locator('cl-console input[name=password]').fill(initial);
    await first.locator('cl-console [data-testid=sign-in]').click();
    const change = first.locator('cl-password-form');
    await change.waitFor();
    expect(await first.locator('cl-queue').count()).toBe(0);
    await change.locator('input[name=current]').fill(initial);
    await change.locator('input[name=next]').fill('a-new-long-password-2026');
    await change.locator('[data-testid=change-password]').click();
    await first.locator('cl-queue').waitFor();
    expect(await first.locator('cl-console [data-testid=me]').textContent()).toContain('New Agent');

    await admin.goto('/console#/admin/channels');
    await admin.locator('cl-admin sl-button', { hasText: 'Rotate secret' }).first().click();
    await admin.locator('cl-admin [data-testid=secret] code').waitFor();
    await admin.locator('cl-admin-channels').getByText(/old secret valid until/).first().waitFor();
    expect(await violations(admin)).toEqual([]);
  });

  it('filters the queue by SLA state (due soon, paused, breached, …)', async () => {
    // A ticket in each state the test picks: past its deadline, paused awaiting the customer, on track.
    const submit = async (content: string, receivedAt: Date) => {
      const d = await env.gql(`mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { ... on SubmitFeedbackPayload { trackingCode } } }`,
        { i: { channel: 'PHONE', kind: 'COMPLAINT', content, receivedAt: receivedAt.toISOString() } });
      return ticketOf(env, d.submitFeedback.trackingCode);
    };
    await submit('三周前的投诉，一直没有回复。', new Date(Date.now() - 40 * 86_400_000));
    await submit('今天的投诉：手机银行无法登录。', new Date());
    const paused = await submit('请问信用卡年费为何重复扣收？', new Date());
    for (const status of ['ACKNOWLEDGED', 'IN_PROGRESS']) await move(env, paused, status);
    await move(env, paused, 'AWAITING_CUSTOMER', '请告诉我们扣款日期。');
    const page = await env.newPage({ width: 1440, height: 900 });
    await signIn(page, 'supervisor@demo.closeloop.dev');
    await page.locator('cl-queue .item').first().waitFor();
    const statesShown = () => page.locator('cl-queue .item').evaluateAll((items) =>
      items.map((i) => [...i.querySelectorAll('.chip')].map((c) => c.className.replace('chip', '').trim()).find((c) => /^[A-Z_]+$/.test(c) && /ON_TRACK|AT_RISK|BREACHED|PAUSED|MET/.test(c)) ?? 'none'));
    for (const wanted of [['BREACHED'], ['AT_RISK', 'PAUSED'], ['ON_TRACK']]) {
      await page.locator('cl-queue [data-testid=sla-filter]').selectOption(wanted);
      await expect.poll(async () => {
        const shown = await statesShown();
        return shown.length > 0 && shown.every((x) => wanted.includes(x));
      }, { timeout: 20_000 }).toBe(true);
    }
    expect(await violations(page)).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
  });

  // Last: it fills the database for good.
  // How fast the queue opens is the bench's business, not a timed test's: this checks the virtualised
  // list, and writes the times it saw to test-artifacts/console-queue-10k.json (docs/performance.md).
  it('keeps 10,000 open tickets out of the page and scrolls to the end of them, loading pages as it goes', { timeout: 900_000 }, async () => {
    // The consoles of the earlier tests go first: each would execute every one of the 13,300 seeded
    // tickets' events for its live queue, and together they held the whole connection pool.
    await env.closePages();
    await seedDemoVolume(env.handle.db, 13_300); // about three in four stay open
    const { tickets } = await import('@closeloop/db');
    const { inArray } = await import('drizzle-orm');
    const open = (await env.handle.db.select({ id: tickets.id }).from(tickets)
      .where(inArray(tickets.status, ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER']))).length;
    expect(open).toBeGreaterThanOrEqual(10_000);
    const page = await env.newPage({ width: 1440, height: 900 });
    const t0 = Date.now();
    await signIn(page, 'supervisor@demo.closeloop.dev');
    await page.locator('cl-queue .item').first().waitFor({ timeout: 120_000 });
    const firstRowMs = Date.now() - t0;
    const inDom = () => page.locator('cl-queue .item').count();
    const count = () => page.locator('cl-queue [data-testid=queue-count]').textContent();
    expect(await inDom()).toBeLessThan(60);
    await page.locator('cl-queue lit-virtualizer').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('j');
    expect(await page.locator('cl-queue .item.current').count()).toBe(1);
    // Scroll to the bottom until the last page has come: the count loses its "+".
    const t1 = Date.now();
    let pages = 1;
    for (let text = (await count())!; text.includes('+') || text === 'Loading…'; pages++) {
      const before = text;
      // As a reader does: keep scrolling to the end until more has come.
      await expect.poll(async () => {
        await page.locator('cl-queue lit-virtualizer').evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return (text = (await count())!);
      }, { timeout: 60_000 }).not.toMatch(new RegExp(`^(${before.replace('+', '\\+')}|Loading…)$`));
      expect(await inDom()).toBeLessThan(60);
    }
    const scrollMs = Date.now() - t1;
    expect(await count()).toBe(`${open} tickets`);
    // The last ticket is in the page, and only what is around it (the last page came after the last
    // scroll, so scroll once more to its new end).
    await page.locator('cl-queue lit-virtualizer').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator(`cl-queue .item#row-${open - 1}`).waitFor();
    expect(await inDom()).toBeLessThan(60);
    const figures = { openTickets: open, firstRowMs, scrollToEndMs: scrollMs, pages, at: new Date().toISOString() };
    writeFileSync(artifactPath('console-queue-10k.json'), `${JSON.stringify(figures, null, 2)}\n`);
    expect(problemsOf(page)).toEqual([]);
  });
});
