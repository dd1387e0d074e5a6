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
  it('is served with example operations outside production, and not in production', async () => {
    const { setup } = await import('./helpers.ts');
    const { createApp } = await import('../src/http/server.ts');
    const env = await setup();
    try {
      const page = await env.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
      const html = await page.text();
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(html).toContain('submitFeedback');
      const prod = createApp({ handle: env.handle, secretKey: env.secretKey, production: true });
      const none = await prod.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
      expect(await none.text()).not.toContain('submitFeedback');
    } finally {
      await env.close();
    }
  });
});
