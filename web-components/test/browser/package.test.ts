// The published packages as a bank's frontend team gets them: `npm pack` of @closeloop/sdk and
// @closeloop/web-components, installed from the tarballs into a throw-away project outside the
// workspace, the docs' ES-module example bundled there and run in Chromium against a running API.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { eq } from 'drizzle-orm';
import { channelApps } from '@closeloop/db';
import { hasChromium, problemsOf, start, type Env } from './harness.ts';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'closeloop-pack-'));
const app = join(work, 'app');

/** The first ```ts block of the docs that imports the package: what the docs tell frontend teams to write. */
function documentedExample(): string {
  const pages = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).map((f) => join(ROOT, 'docs', f))];
  for (const page of pages) {
    for (const [, code] of readFileSync(page, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)) {
      if (code!.includes("from '@closeloop/web-components'")) return code!;
    }
  }
  throw new Error('no ES-module example importing @closeloop/web-components in README.md or docs/');
}

let env: Env;
beforeAll(async () => {
  await run('npm', ['run', 'build', '-w', '@closeloop/sdk', '-w', '@closeloop/web-components'], { cwd: ROOT });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work, '-w', '@closeloop/sdk', '-w', '@closeloop/web-components'], { cwd: ROOT });
  const packed = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bank-website', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed.map((p) => join(work, p.filename))], { cwd: app });
  if (hasChromium) env = await start();
}, 300_000);
afterAll(async () => {
  await env?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the npm packages', () => {
  it('ship built code, types and the manifest, and depend only on what runs', () => {
    const manifest = (name: string) => JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8'));
    const sdk = manifest('@closeloop/sdk');
    const components = manifest('@closeloop/web-components');
    for (const pkg of [sdk, components]) {
      expect(pkg.private).toBeUndefined();
      for (const tool of ['esbuild', 'typescript', 'gql.tada', 'tsx', 'vitest']) expect(Object.keys(pkg.dependencies ?? {})).not.toContain(tool);
    }
    const installed = (name: string, file: string) => readFileSync(join(app, 'node_modules', name, file), 'utf8');
    expect(installed('@closeloop/sdk', 'dist/types/index.d.ts')).toContain("from './client.js'");
    expect(installed('@closeloop/web-components', 'dist/types/index.d.ts')).toContain('FeedbackForm');
    const elements = JSON.parse(installed('@closeloop/web-components', 'custom-elements.json')).modules
      .flatMap((m: { declarations?: Array<{ tagName?: string; attributes?: unknown[]; events?: unknown[]; cssParts?: unknown[]; cssProperties?: unknown[] }> }) => m.declarations ?? [])
      .filter((d: { tagName?: string }) => d.tagName);
    // The four public elements, plus the tracker's own parts (the message box and case actions it loads itself).
    const PUBLIC = ['cl-feedback-form', 'cl-feedback-tracker', 'cl-my-feedback', 'cl-satisfaction-survey'];
    expect(elements.map((d: { tagName: string }) => d.tagName).sort()).toEqual([...PUBLIC, 'cl-case-actions', 'cl-message-box'].sort());
    for (const d of elements.filter((e: { tagName: string }) => PUBLIC.includes(e.tagName))) {
      expect(d.attributes.length, d.tagName).toBeGreaterThan(0);
      expect(d.events.length, d.tagName).toBeGreaterThan(0);
      expect(d.cssParts.length, d.tagName).toBeGreaterThan(0);
      expect(d.cssProperties.length, d.tagName).toBeGreaterThan(0);
    }
  });

  it.skipIf(!hasChromium)('run the documented ES-module example, bundled in the throw-away project, against the API', async () => {
    const example = documentedExample().replace(/https:\/\/feedback\.example-bank\.com\/graphql/g, `${env.base}/graphql`);
    writeFileSync(join(app, 'main.ts'), example);
    // The bank's bundler resolves everything from the throw-away project's node_modules.
    await build({ entryPoints: [join(app, 'main.ts')], bundle: true, format: 'esm', outdir: join(app, 'out'), absWorkingDir: app, splitting: true, logLevel: 'error' });
    // The bank's website: another origin on this machine, serving the page and its bundle.
    const site = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>bank</title></head><body><cl-feedback-form></cl-feedback-form><script type="module" src="/out/main.js"></script></body></html>');
        return;
      }
      let body: Buffer;
      try {
        body = readFileSync(join(app, 'out', path.replace(/^\/out\//, '').replace(/\.\./g, '')));
      } catch {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    onTestFinished(() => void site.close());
    // As a bank would: the site's origin is registered on its channel (CORS allow-list).
    await env.handle.db.update(channelApps).set({ allowedOrigins: [`http://127.0.0.1:${(site.address() as AddressInfo).port}`] }).where(eq(channelApps.publishableKey, 'pk_web_demo'));
    const page = await env.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    const form = page.locator('cl-feedback-form');
    await form.locator('textarea').fill('The packaged form submits from a bank page.');
    await form.locator('#consent').check();
    await form.getByRole('button', { name: '提交反馈' }).click();
    await expect.poll(() => form.locator('[part=tracking-code]').count(), { timeout: 20_000 }).toBe(1).catch(async (e) => {
      throw new Error(`${e}\n${logs.join('\n')}\n${await form.locator('[part=banner]').textContent()}`);
    });
    expect(await form.locator('[part=tracking-code]').textContent()).toMatch(/^FB-/);
    expect(problemsOf(page)).toEqual([]);
  }, 120_000);
});
