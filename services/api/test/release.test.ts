// The release build: `npm run build` makes plain JavaScript, and `NODE_ENV=production npm start` runs it
// without tsx or esbuild in the process.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const API = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'closeloop-release-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // The web files first (the API serves them prebuilt), then the server bundle.
  await run('npm', ['run', 'build', '-w', '@closeloop/web-components'], { cwd: join(API, '../..') });
  await run('npm', ['run', 'build'], { cwd: API });
}, 240_000);

describe('the release build', () => {
  it('starts with NODE_ENV=production from dist/, serves the API and the script, and never loads tsx or esbuild', async () => {
    const modules = join(dir, 'modules.txt');
    const child = spawn('node', ['--import', new URL('./fixtures/record-modules.mjs', import.meta.url).pathname, join(API, 'bin/closeloop.mjs'), 'start'], {
      env: {
        ...process.env, NODE_ENV: 'production', CLOSELOOP_SECRET_KEY: 'cd'.repeat(32), PORT: '0', HOST: '127.0.0.1',
        CLOSELOOP_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', CLOSELOOP_MODULE_LOG: modules,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /running on http:\/\/localhost:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
      });
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      const script = await fetch(`http://127.0.0.1:${port}/sdk/closeloop.js`);
      expect(script.status).toBe(200);
      const post = (query: string) => fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      // Production posture: an anonymous caller's own document is refused; the sign-in document runs.
      const untrusted = (await (await post('{ __typename }')).json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(untrusted.errors[0]!.extensions.code).toBe('UNTRUSTED_DOCUMENT');
      const login = await post('mutation { login(input: { email: "nobody@bank.test", password: "not-the-password" }) { __typename } }');
      expect(await login.json()).toEqual({ data: { login: { __typename: 'AuthenticationError' } } });
      const loaded = readFileSync(modules, 'utf8').split('\n');
      // The recorder saw the release's own files and its real dependencies ...
      expect(loaded.some((u) => u.endsWith('/services/api/dist/cli.js'))).toBe(true);
      expect(loaded.some((u) => u.includes('/node_modules/graphql-yoga/'))).toBe(true);
      // ... and no TypeScript source, tsx or bundler.
      expect(loaded.filter((u) => /\/node_modules\/(tsx|esbuild|@esbuild)\/|\.ts$/.test(u))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);

  it('runs CLI commands from the built files too', async () => {
    const r = await run('node', [join(API, 'bin/closeloop.mjs'), 'help'], { env: { ...process.env, NODE_ENV: 'production' } });
    expect(r.stdout).toContain('closeloop <command>');
  });
});
