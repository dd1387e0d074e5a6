// /sdk/closeloop.js and the files it loads later: how the API serves them, and that a page with the
// one-line embed renders <cl-feedback-form> from closeloop.js alone, then gets the other elements.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { eq } from 'drizzle-orm';
import { channelApps } from '@closeloop/db';
import { hasChromium, problemsOf, start, type Env } from './harness.ts';

let env: Env;
beforeAll(async () => {
  if (hasChromium) env = await start();
});
afterAll(() => env?.close());

const laterFiles = (entry: string) => [...new Set(entry.match(/closeloop-[a-z]+-[A-Za-z0-9]{10}\.js/g) ?? [])];

describe.skipIf(!hasChromium)('the script files', () => {
  it('are served compressed, cross-origin, with the later files cacheable for good', async () => {
    const entry = await fetch(`${env.base}/sdk/closeloop.js`, { headers: { 'accept-encoding': 'br' } });
    expect(entry.headers.get('content-encoding')).toBe('br');
    expect(entry.headers.get('cache-control')).toBe('public, max-age=300');
    const later = laterFiles(await entry.text());
    expect(later.map((f) => f.split('-')[1])).toEqual(expect.arrayContaining(['sdk', 'elements']));
    for (const file of later) {
      const res = await fetch(`${env.base}/sdk/${file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('timing-allow-origin')).toBe('*');
    }
    expect((await fetch(`${env.base}/sdk/closeloop-sdk-AAAAAAAAAA.js`)).status).toBe(404);
  });

  it('render the form from closeloop.js alone, then define the other elements and load the client', async () => {
    const page = await env.newPage();
    // Another origin, as a bank's own website.
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>host</title></head><body>
          <cl-feedback-form channel-key="pk_web_demo" endpoint="${env.base}/graphql"></cl-feedback-form>
          <script type="module" src="${env.base}/sdk/closeloop.js"></script>
          <script type="module">
            await customElements.whenDefined('cl-feedback-form');
            const form = document.querySelector('cl-feedback-form');
            await form.updateComplete;
            window.firstRender = {
              fields: form.shadowRoot.querySelectorAll('textarea, input, select').length,
              files: performance.getEntriesByType('resource').map((e) => e.name.split('/sdk/').pop()),
            };
          </script></body></html>`;
    const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
    onTestFinished(() => void host.close());
    // The bank registers its website's origin on its channel (create-channel --origin): CORS allows only those.
    await env.handle.db.update(channelApps).set({ allowedOrigins: [`http://127.0.0.1:${(host.address() as AddressInfo).port}`] }).where(eq(channelApps.publishableKey, 'pk_web_demo'));
    await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
    const sdkFiles = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name.split('/sdk/').pop()!));
    const firstRender = (await (await page.waitForFunction(() => (window as { firstRender?: unknown }).firstRender)).jsonValue()) as { fields: number; files: string[] };
    expect(firstRender.fields).toBeGreaterThan(3);
    expect(firstRender.files).toEqual(['closeloop.js']);

    // The rest arrives once the page is idle; elements added meanwhile are upgraded then.
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<cl-feedback-tracker tracking-code="FB-NONE-NONE" access-key="x"></cl-feedback-tracker>'));
    await page.evaluate(() => Promise.all(['cl-feedback-tracker', 'cl-my-feedback', 'cl-satisfaction-survey'].map((t) => customElements.whenDefined(t))));
    await expect.poll(sdkFiles).toEqual(expect.arrayContaining([expect.stringMatching(/^closeloop-elements-/), expect.stringMatching(/^closeloop-sdk-/)]));
    await expect.poll(() => page.locator('cl-feedback-tracker [role=alert]').textContent()).toContain('没有找到');

    // The module's exports for pages of their own (the portal, configure()).
    // (A string, so that the test runner leaves its import() alone.)
    const exports = (await page.evaluate(`(async () => {
      const m = await import('${env.base}/sdk/closeloop.js');
      const error = await m.createCloseloop({ url: '${env.base}/no-such-endpoint' }).trackFeedback('FB-NONE-NONE').catch((e) => e);
      return { names: Object.keys(m).sort(), isCloseloopError: error instanceof m.CloseloopError, code: error.code };
    })()`)) as { names: string[]; isCloseloopError: boolean; code: string };
    expect(exports.names).toEqual(expect.arrayContaining(['CloseloopError', 'FeedbackForm', 'configure', 'createCloseloop', 'getLocale', 'setLocale']));
    expect(exports.isCloseloopError).toBe(true);
    expect(exports.code).toEqual(expect.any(String));
    expect(problemsOf(page)).toEqual([]);
  });
});
