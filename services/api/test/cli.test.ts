import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, cliWorld } from './cli-helpers.ts';

const world = cliWorld('cli');
const cli = world.cli;

/** `closeloop start` on this test's database; resolves with its port. */
function startServer(extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn('node', [CLI_BIN, 'start'], { env: { ...world.env, PORT: '0', HOST: '127.0.0.1', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /running on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { child, port };
}

async function gql(port: number, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }),
  });
  return res.json() as Promise<any>;
}

// Each call starts a process that loads the server's modules: generous on a loaded CI machine.
describe('closeloop CLI', { timeout: 240_000 }, () => {
  it('migrates, seeds and provisions with --json', async () => {
    expect((await cli('migrate', '--json')).json).toMatchObject({ migrated: true });
    expect((await cli('seed', '--json')).json).toEqual({ seeded: 'base' });
    const ch = await cli('create-channel', '--name', 'Website', '--kind', 'WEB', '--json');
    expect(ch.json.publishableKey).toMatch(/^pk_web_/);
    expect(ch.json.signingSecret.length).toBeGreaterThan(30);
    const st = await cli('create-staff', '--email', 'Ops@Bank.test', '--role', 'SUPERVISOR', '--json');
    expect(st.json).toMatchObject({ email: 'ops@bank.test', role: 'SUPERVISOR' });
    expect(st.json.token.split('.')).toHaveLength(3);
    const key = await cli('create-api-key', '--name', 'CRM', '--scopes', 'feedback:read,tickets:write', '--json');
    expect(key.json.apiKey).toMatch(/^clk_/);
  });

  it('refuses bad input with a clear message, exit code 2 and no change', async () => {
    const bad = await cli('create-staff', '--email', 'x@bank.test', '--role', 'JANITOR', '--json');
    expect(bad.code).toBe(2);
    expect(bad.json.error).toMatch(/--role must be one of/);
    expect((await cli('create-api-key', '--name', 'x', '--scopes', 'everything', '--json')).json.error).toMatch(/unknown: everything/);
    expect((await cli('create-staff', '--email', 'ops@bank.test', '--role', 'AGENT', '--json')).json.error).toMatch(/already exists/);
    expect((await cli('create-channel', '--name', 'x', '--kind', 'FAX')).stderr).toMatch(/--kind must be one of/);
  });

  it('works while `closeloop start` holds the database, and its token drives the API', async () => {
    const { child, port: started } = startServer();
    try {
      const port = await started;
      const ch = await cli('create-channel', '--name', 'Mini program', '--kind', 'MINI_PROGRAM', '--json');
      const sub = await gql(port, `mutation { submitFeedback(input: { kind: COMPLAINT, content: "The app crashes on login" }) { ... on SubmitFeedbackPayload { trackingCode accessKey } } }`, { 'x-closeloop-channel': ch.json.publishableKey });
      expect(sub.errors).toBeUndefined();
      const { trackingCode, accessKey } = sub.data.submitFeedback;
      const st = await cli('create-staff', '--email', 'agent@bank.test', '--role', 'AGENT', '--department', 'CUSTOMER_SERVICE', '--json');
      expect(st.code).toBe(0);
      const auth = { authorization: `Bearer ${st.json.token}` };
      const t = await gql(port, `{ trackFeedback(trackingCode: "${trackingCode}") { ticket { id } } }`, auth);
      const moved = await gql(port, `mutation { transitionTicket(input: { ticketId: "${t.data.trackFeedback.ticket.id}", status: ACKNOWLEDGED }) { __typename } }`, auth);
      expect(moved.data.transitionTicket.__typename).toBe('TicketPayload');
      const seen = await gql(port, `{ trackFeedback(trackingCode: "${trackingCode}", accessKey: "${accessKey}") { status timeline { type toStatus } } }`);
      expect(seen.data.trackFeedback).toEqual({ status: 'ACKNOWLEDGED', timeline: [{ type: 'SUBMITTED', toStatus: 'SUBMITTED' }, { type: 'STATUS_CHANGED', toStatus: 'ACKNOWLEDGED' }] });
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('sweeps SLAs in the running server on its own (CLOSELOOP_SWEEP_INTERVAL_MS)', async () => {
    const { child, port: started } = startServer({ CLOSELOOP_SWEEP_INTERVAL_MS: '300' });
    try {
      const port = await started;
      const st = await cli('create-staff', '--email', 'supervisor@bank.test', '--role', 'SUPERVISOR', '--department', 'CUSTOMER_SERVICE', '--json');
      const auth = { authorization: `Bearer ${st.json.token}` };
      // Recorded by staff as received a month ago: both SLA clocks ran out long since.
      const received = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const sub = await gql(port, `mutation { submitFeedback(input: { kind: COMPLAINT, channel: PHONE, receivedAt: "${received}", content: "Called about a double charge last month" }) { ... on SubmitFeedbackPayload { trackingCode } } }`, auth);
      const code = sub.data.submitFeedback.trackingCode;
      let types: string[] = [];
      for (let i = 0; i < 50 && !types.includes('SLA_BREACHED'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        const t = await gql(port, `{ trackFeedback(trackingCode: "${code}") { timeline { type } } }`, auth);
        types = t.data.trackFeedback.timeline.map((e: { type: string }) => e.type);
      }
      expect(types).toContain('SLA_BREACHED');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
