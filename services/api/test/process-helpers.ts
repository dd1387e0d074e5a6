import { randomUUID } from 'node:crypto';
// Real `closeloop start` processes for the fault tests: started, signalled and watched from outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/closeloop.mjs', import.meta.url));

export interface ServerProcess {
  port: number;
  proc: ChildProcess;
  http: string;
  ws: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: string[];
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/**
 * Starts `closeloop start` with `env` on top of this environment (PORT 0, loopback, no demo data) and
 * resolves once it prints the address it listens on; rejects with its output if it exits first.
 */
export async function startServer(env: Record<string, string | undefined>, nodeArgs: string[] = [], timeoutMs = 60_000): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, BIN, 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CLOSELOOP_DEMO: '0', NODE_ENV: 'development', CLOSELOOP_RATE_LIMIT_PREFIX: `closeloop:test:${randomUUID()}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    const onData = () => {
      const m = /running on http:\/\/localhost:(\d+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server ${signal ? `was killed by ${signal}` : `exited with ${code}`} before listening:\n${output.join('')}`));
    });
  });
  return {
    port,
    proc,
    output,
    exited,
    http: `http://127.0.0.1:${port}/graphql`,
    ws: `ws://127.0.0.1:${port}/graphql`,
    alive: () => proc.exitCode === null && proc.signalCode === null,
  };
}

/** Stops a server left running by a failed test. */
export async function stopServer(s: ServerProcess | undefined): Promise<void> {
  if (!s?.alive()) return;
  s.proc.kill('SIGKILL');
  await s.exited;
}

export async function gql(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

export interface RedisProcess {
  port: number;
  url: string;
  /** SIGKILL: Redis vanishes as in a crash or a network partition. */
  stop(): Promise<void>;
}

/** A private redis-server (never the shared one) on a random or given port, without persistence. */
export async function startRedis(port = 20000 + Math.floor(Math.random() * 20000)): Promise<RedisProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    proc.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`redis-server exited:\n${output}`)));
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
