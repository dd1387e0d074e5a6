// The parent's side of the fan-out load generator (bench/fanout-client.ts, its own process): writes
// the spec, sends commands on stdin and reads the JSON lines it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Calls `onLine` with every complete line of a text stream (without its newline). */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (c: Buffer) => {
    buf += c.toString();
    let at: number;
    while ((at = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, at);
      buf = buf.slice(at + 1);
      onLine(line);
    }
  });
}

export interface ClientSpec {
  query: string;
  connectionParams: Record<string, unknown>[];
  subscribers: Array<[number, Record<string, unknown>]>;
}

export interface LoadGeneratorOptions {
  /** Folder for the spec file handed to the client. */
  dir: string;
  /** The command that runs node with these arguments (pinned to a core where possible). */
  command: (argv: string[]) => [string, string[]];
  /** Sees the child once it is started, so that a failure anywhere can kill it. */
  track: (child: ChildProcess) => void;
  fail: (message: string) => never;
}

export class LoadGenerator {
  private readonly proc: ChildProcess;
  private readonly messages: any[] = [];
  private waiters: Array<() => void> = [];

  constructor(urls: string[], spec: ClientSpec, private readonly options: LoadGeneratorOptions) {
    const file = join(options.dir, 'client-spec.json');
    writeFileSync(file, JSON.stringify({ urls, ...spec }));
    const [cmd, argv] = options.command(['--import', 'tsx', join(BENCH_DIR, 'fanout-client.ts'), file]);
    this.proc = spawn(cmd, argv, { cwd: join(BENCH_DIR, '..'), stdio: ['pipe', 'pipe', 'inherit'] });
    options.track(this.proc);
    readLines(this.proc.stdout!, (line) => {
      this.messages.push(JSON.parse(line));
      for (const w of this.waiters) w();
      this.waiters = [];
    });
    this.proc.once('exit', (code) => code !== 0 && code !== null && options.fail(`load generator exited with ${code}`));
  }

  send(cmd: Record<string, unknown>): void {
    this.proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  async next(type: string, timeoutMs: number): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (Date.now() > until) this.options.fail(`timed out waiting for the load generator (${type})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 500);
      });
    }
  }

  /** Makes one change and returns every receipt of it: the events' sequences and their receipt times (epoch ms). */
  async receipts(change: () => Promise<void>, count: number, timeoutMs: number): Promise<{ times: number[]; sequences: string[] }> {
    this.send({ type: 'collect', count, timeoutMs });
    await change();
    return this.next('receipts', timeoutMs + 10_000);
  }

  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    await this.next('stopped', 30_000);
  }
}
