// The CLI lines of README.md and docs/*.md, run as written (bash, `set -euo pipefail`) on a fresh
// embedded database: a documented command that fails, or prints nothing usable, fails this test.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'closeloop-docs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of ```sh blocks that run the CLI; `start` and an endless `sweep` are servers, not examples to run. */
function documentedCliLines(): string[] {
  const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return pages.flatMap((page) =>
    [...readFileSync(join(ROOT, page), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap(([, block]) => block!.split('\n'))
      .filter((line) => /(^|\$\()npx closeloop /.test(line.trim()))
      .filter((line) => !/closeloop (start|sweep(?!.*--once))/.test(line)),
  );
}

describe('the documented CLI examples', () => {
  it('run as written, in order, with exit code 0', async () => {
    const lines = documentedCliLines();
    expect(lines.length).toBeGreaterThanOrEqual(8);
    // What `npm start` does first on an empty database, so examples may name the seeded departments.
    const script = ['set -euo pipefail', 'TOKEN=', 'npx closeloop seed >/dev/null', ...lines.map((l) => `${l} >/dev/null`), 'echo "TOKEN=$TOKEN"'].join('\n');
    const env = { ...process.env, CLOSELOOP_DATA_DIR: dir, DATABASE_URL: '', CLOSELOOP_DEMO: '0' };
    const { stdout } = await run('bash', ['-c', script], { cwd: ROOT, env, maxBuffer: 1 << 24 });
    // The README's `TOKEN=$(npx closeloop create-staff … --json | node -pe …)` yields a session token.
    const token = /TOKEN=(.*)/.exec(stdout)?.[1] ?? '';
    if (lines.some((l) => l.includes('TOKEN=$('))) expect(token.split('.')).toHaveLength(3);
  }, 300_000);
});
