import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../src/schema/index.ts';

describe('schema.graphql', () => {
  it('is the committed, current contract (run `npm run schema:print` after schema changes)', () => {
    const committed = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printedSchema()}\n`);
  });

  it('keeps the names of the public contract', () => {
    const s = printedSchema();
    for (const name of [
      'submitFeedback(input: SubmitFeedbackInput!)', 'trackFeedback(accessKey: String, trackingCode: String!)',
      'transitionTicket(', 'assignTicket(', 'addTicketNote(', 'node(id: ID!): Node', 'interface Node',
      'enum FeedbackKind', 'COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY', 'SELF_SERVICE_TERMINAL', 'AWAITING_CUSTOMER',
    ]) expect(s).toContain(name);
  });
});

describe('GraphiQL', () => {
  it('is served from installed assets with a CSP and example operations outside production, and not in production', async () => {
    const { setup } = await import('./helpers.ts');
    const { createApp } = await import('../src/server.ts');
    const env = await setup();
    const prod = createApp({ handle: env.handle, secretKey: env.secretKey, production: true });
    try {
      const port = await env.app.listen(0, '127.0.0.1');
      const page = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
      const html = await page.text();
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(html).toContain('submitFeedback');
      // The page's code is inline (no CDN) and the CSP allows exactly that script and this origin.
      expect(html).not.toMatch(/<script[^>]+src=/);
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="?https?:/);
      expect(html).toContain('renderYogaGraphiQL');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'sha256-[^']+'/);
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
      const prodPort = await prod.listen(0, '127.0.0.1');
      const none = await fetch(`http://127.0.0.1:${prodPort}/graphql`, { headers: { accept: 'text/html' } });
      expect(await none.text()).not.toContain('submitFeedback');
    } finally {
      await prod.close();
      await env.close();
    }
  }, 120_000); // the page inlines 9 MB of GraphiQL: its first render is slow on a busy machine
});
