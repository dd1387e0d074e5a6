import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';
import { createApp, type App, type AppOptions } from '../src/server.ts';
import { seedBase } from '../src/seed.ts';
import { createChannel, createStaff, createApiKey } from '../src/admin.ts';

export interface TestEnv {
  handle: TestDatabase;
  app: App;
  secretKey: Buffer;
  /** SQL statements sent since the last reset. */
  queries: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[]; status: number }>;
  channel: { publishableKey: string; signingSecret: string };
  customerToken(sub: string, claims?: Record<string, unknown>, expiresIn?: string | number): Promise<string>;
  staffToken(role: string, department?: string | null): Promise<{ token: string; id: string }>;
  apiKey(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function setup(appOptions: Partial<AppOptions> = {}): Promise<TestEnv> {
  const queries: string[] = [];
  const handle = await createTestDatabase({ onQuery: (q) => queries.push(q) });
  await seedBase(handle.db);
  const secretKey = randomBytes(32);
  // Abuse limits count per address, and every in-process request here shares one; the security suite
  // (test/security) turns them on with its own settings.
  const app = createApp({ handle, secretKey, limits: false, ...appOptions });
  const ch = await createChannel(handle.db, app.identity, { name: 'Test web', kind: 'WEB' });
  const channel = { publishableKey: ch.publishableKey, signingSecret: ch.signingSecret! };
  let n = 0;
  const env: TestEnv = {
    handle,
    app,
    secretKey,
    queries,
    channel,
    async gql(query, variables, headers = {}) {
      const res = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      return { ...body, status: res.status };
    },
    customerToken(sub, claims = {}, expiresIn = '10m') {
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(new TextEncoder().encode(channel.signingSecret));
    },
    async staffToken(role, department = 'CUSTOMER_SERVICE') {
      const r = await createStaff(handle.db, app.identity, { email: `${role.toLowerCase()}${++n}@test.dev`, role, department });
      return { token: r.token, id: r.staff.id };
    },
    async apiKey(scopes) {
      return (await createApiKey(handle.db, { name: `partner ${++n}`, scopes })).apiKey;
    },
    async close() {
      await app.close().catch(() => {});
      await handle.destroy();
    },
  };
  return env;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitFeedbackInput!) {
    submitFeedback(input: $input) {
      __typename
      ... on SubmitFeedbackPayload { trackingCode accessKey replayed feedback { id status } }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code message } }
    }
  }
`;

export const TRACK = /* GraphQL */ `
  query Track($code: String!, $key: String) {
    trackFeedback(trackingCode: $code, accessKey: $key) {
      id trackingCode status kind content
      timeline { position type visibility toStatus body }
    }
  }
`;

export const TRANSITION = /* GraphQL */ `
  mutation T($input: TransitionTicketInput!) {
    transitionTicket(input: $input) {
      __typename
      ... on TicketPayload { ticket { id status } events { position type toStatus } }
      ... on InvalidTransitionError { from to allowed }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;

/**
 * For suites that record feedback on fixed 2026 dates (hand-computed due times): the 365-day limit on
 * receivedAt would refuse them once those dates are a year old. The limit itself is tested in
 * bounded-work.test.ts.
 */
export const FIXED_DATES: Partial<AppOptions> = { receivedAt: { maxAgeDays: 100 * 366, maxFutureSkewMs: 60_000 } };
