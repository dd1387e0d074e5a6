// Short-lived processes and Redis: a process whose Redis is unreachable for its whole life, or that ends
// before its first connection is up, exits cleanly, with no unhandled rejection of the SUBSCRIBE ioredis
// queued meanwhile (src/realtime/bus.ts). Real processes; "unreachable" is a port nothing listens on.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliWorld } from './cli-helpers.ts';
import { startServer, stopServer, type ServerProcess } from './process-helpers.ts';

const run = promisify(execFile);
const CLOSE_EARLY = new URL('./fixtures/bus-close-early.mjs', import.meta.url).pathname;
// The machine's Redis: the processes project blanks REDIS_URL for its other files and passes it on here.
const sharedRedis = process.env.CLOSELOOP_TEST_REDIS_URL;
if (process.env.CI && !sharedRedis) throw new Error('CI requires REDIS_URL: the sweep against a working Redis must run, not be skipped');

const world = cliWorld('redis');

/** A loopback port that was free a moment ago: bound, then released. */
async function unusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** What a process printed must show no unhandled rejection, nor ioredis's "Connection is closed". */
function expectClean(stderr: string) {
  expect(stderr).not.toMatch(/Unhandled|Connection is closed|^Node\.js v/m);
}

describe('Redis unreachable for the whole life of a process', { timeout: 240_000 }, () => {
  it('closeloop sweep --once exits 0 with no unhandled rejection', async () => {
    const r = await world.cliWith({ REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` }, 'sweep', '--once', '--json');
    expectClean(r.stderr);
    expect(r.code).toBe(0);
    // The sweep itself ran; it may be over before the first connection attempt has even failed.
    expect(r.json).toMatchObject({ tickets: expect.any(Number), breaches: expect.any(Number) });
  });

  it('closeloop start, then SIGTERM, exits 0 with no unhandled rejection', async () => {
    let server: ServerProcess | undefined;
    try {
      server = await startServer({ ...world.env, REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` });
      expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBe(200);
      server.proc.kill('SIGTERM');
      const { code, signal } = await server.exited;
      const output = server.output.join('');
      expectClean(output);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(output).toContain('redis is unreachable');
    } finally {
      await stopServer(server);
    }
  });

  it('the bus closed while its first connection is still being made exits 0, Redis down or up', async () => {
    const urls = [`redis://127.0.0.1:${await unusedPort()}`, ...(sharedRedis ? [sharedRedis] : [])];
    for (const url of urls) {
      const r = await run(process.execPath, [CLOSE_EARLY, url], { env: { ...process.env, LOG_LEVEL: 'error' } }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e) => ({ code: e.code, stdout: e.stdout as string, stderr: e.stderr as string }),
      );
      expectClean(r.stderr);
      expect({ url, code: r.code, stdout: r.stdout }).toEqual({ url, code: 0, stdout: 'closed\n' });
    }
  });
});

describe.skipIf(!sharedRedis)('a working Redis', { timeout: 240_000 }, () => {
  it('closeloop sweep --once exits 0 (it connects, rings nothing, and closes)', async () => {
    // Limit counters of this file's own (cliWorld) on the shared Redis.
    const r = await world.cliWith({ REDIS_URL: sharedRedis }, 'sweep', '--once', '--json');
    expectClean(r.stderr);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ tickets: expect.any(Number) });
    expect(r.stderr).not.toContain('redis is unreachable');
  });
});
