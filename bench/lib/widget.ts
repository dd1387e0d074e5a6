// The widget as a customer's browser gets it: whatever /sdk/closeloop.js the real API process serves
// (`closeloop start`, production mode), its gzip and brotli sizes, and the time until
// <cl-feedback-form> has rendered on an otherwise empty host page in headless Chromium with 4× CPU
// throttling, plus the long tasks seen until then.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { log } from './progress.ts';
import { ROOT, track } from './procs.ts';

export type WidgetResult =
  | {
      status: 'ok'; bytes: number; gzip: number; brotli: number; firstRenderMs: number; firstRenderRuns: number[];
      /** When the script had arrived (navigation-relative): the rest of first render is parsing, running and rendering. */
      scriptLoadedMs: number;
      runs: number; tag: string; longTasks: number; longTaskMs: number;
    }
  | { status: 'skipped' | 'unavailable' | 'failed'; note: string };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TAG = 'cl-feedback-form';

/** Starts the API as `npm start` would, in production mode on the benchmark database. */
async function startApi(url: string, secretKey: Buffer) {
  const dataDir = mkdtempSync(join(tmpdir(), 'closeloop-bench-api-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: url, NODE_ENV: 'production', CLOSELOOP_SECRET_KEY: secretKey.toString('hex'),
    CLOSELOOP_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0',
  };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [join(ROOT, 'services/api/bin/closeloop.mjs'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start in 90 s: ${out.slice(-500)}`)), 90_000);
    const check = () => {
      const m = /running on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with ${code}: ${out.slice(-500)}`));
    });
  });
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 12_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const hostPage = (api: string, channelKey: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>host</title></head><body>
<${TAG} channel-key="${channelKey}" endpoint="${api}/graphql"></${TAG}>
<script>
  window.__longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
</script>
<script type="module" src="${api}/sdk/closeloop.js"></script>
<script type="module">
  // First render: the element is defined, Lit has rendered its shadow DOM, and a frame has been produced.
  await customElements.whenDefined('${TAG}');
  const el = document.querySelector('${TAG}');
  await el.updateComplete;
  await new Promise((r) => requestAnimationFrame(() => r()));
  const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/sdk/closeloop.js'));
  window.__firstRender = { at: performance.now(), scriptLoaded: script ? script.responseEnd : null, content: el.shadowRoot ? el.shadowRoot.querySelectorAll('*').length : 0 };
</script>
</body></html>`;

export async function runWidget(o: { url: string; secretKey: Buffer; channelKey: string; runs: number }): Promise<WidgetResult> {
  log('widget: starting the API (closeloop start, production) for /sdk/closeloop.js');
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi(o.url, o.secretKey);
  } catch (e) {
    return { status: 'failed', note: (e as Error).message };
  }
  const host = createServer();
  try {
    const origin = `http://127.0.0.1:${api.port}`;
    const res = await fetch(`${origin}/sdk/closeloop.js`, { headers: { 'accept-encoding': 'identity' }, signal: AbortSignal.timeout(120_000) });
    if (res.status !== 200) return { status: 'unavailable', note: `GET /sdk/closeloop.js answered ${res.status}` };
    const body = Buffer.from(await res.arrayBuffer());
    const gzip = gzipSync(body, { level: 9 }).length;
    const brotli = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).length;
    if (!existsSync(CHROMIUM)) {
      return { status: 'unavailable', note: `sizes: ${body.length} B, ${gzip} B gzip, ${brotli} B brotli; no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
    }
    // The host page comes from another origin, as on a bank's own website.
    const html = hostPage(origin, o.channelKey);
    host.on('request', (_req, r) => r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
    const page = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const times: number[] = [];
    const loaded: number[] = [];
    let longTasks = 0;
    let longTaskMs = 0;
    try {
      for (let i = 0; i < o.runs + 1; i++) {
        // A fresh context each time: nothing cached, as for a first visit.
        const context = await browser.newContext();
        const tab = await context.newPage();
        const cdp = await context.newCDPSession(tab);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await tab.goto(page, { waitUntil: 'load', timeout: 60_000 });
        const r = await tab.waitForFunction(() => (window as unknown as { __firstRender?: unknown }).__firstRender, undefined, { timeout: 60_000 });
        const first = (await r.jsonValue()) as { at: number; scriptLoaded: number | null; content: number };
        const tasks = (await tab.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)) as number[];
        await context.close();
        if (first.content === 0) throw new Error(`<${TAG}> rendered nothing`);
        if (i === 0) continue; // the first run warms Chromium itself, not the page
        times.push(first.at);
        loaded.push(first.scriptLoaded ?? NaN);
        longTasks += tasks.length;
        longTaskMs += tasks.reduce((a, b) => a + b, 0);
      }
    } finally {
      await browser.close();
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      status: 'ok', bytes: body.length, gzip, brotli, firstRenderMs: mid(times), scriptLoadedMs: mid(loaded), firstRenderRuns: times.map((t) => Math.round(t)),
      runs: times.length, tag: TAG, longTasks: longTasks / times.length, longTaskMs: longTaskMs / times.length,
    };
  } catch (e) {
    return { status: 'failed', note: (e as Error).message.split('\n')[0]! };
  } finally {
    host.close();
    await api.stop();
  }
}
