// The widget as a customer's browser gets it: whatever /sdk/closeloop.js the real API process serves
// (`closeloop start`, production mode) and the files it loads later, their gzip and brotli sizes, and
// the time until <cl-feedback-form> has rendered on an otherwise empty host page in headless Chromium
// with 4× CPU throttling, plus the long tasks seen until then. The same page without the widget,
// loaded in turn with it, gives the floor: what the browser takes for any page on this machine.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { log } from './progress.ts';
import { ROOT, stopChild, track } from './procs.ts';

export type WidgetResult =
  | {
      /** All files the script may load but the locales (closeloop.js and its later files), each compressed on its own. */
      status: 'ok'; bytes: number; gzip: number; brotli: number; firstRenderMs: number; firstRenderRuns: number[];
      files: Array<{ name: string; bytes: number; gzip: number; brotli: number }>;
      /** closeloop.js alone: what the form needs before it renders. */
      first: { bytes: number; gzip: number; brotli: number };
      /** When the script had arrived (navigation-relative): the rest of first render is parsing, running and rendering. */
      scriptLoadedMs: number;
      /** Files under /sdk/ fetched before the first render (median count; 1 = closeloop.js alone). */
      filesBeforeRender: number;
      /** The same host page without the widget: first frame, median, and each run. */
      floorMs: number; floorRuns: number[];
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
    // No SLA sweeps over the million generated tickets while the page loads are timed.
    CLOSELOOP_SWEEP_INTERVAL_MS: '0',
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
      await stopChild(child, 12_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The host page without the widget: its first frame is the floor under any first render here. */
const emptyPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>host</title></head><body>
<script type="module">
  await new Promise((r) => requestAnimationFrame(() => r()));
  window.__firstRender = { at: performance.now(), scriptLoaded: null, files: 0, content: 1 };
</script>
</body></html>`;

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
  const files = performance.getEntriesByType('resource').filter((e) => e.name.startsWith('${api}/sdk/'));
  const script = files.find((e) => e.name.endsWith('/sdk/closeloop.js'));
  window.__firstRender = { at: performance.now(), scriptLoaded: script ? script.responseEnd : null, files: files.length, content: el.shadowRoot ? el.shadowRoot.querySelectorAll('*').length : 0 };
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
    const sizes = async (name: string) => {
      const res = await fetch(`${origin}/sdk/${name}`, { headers: { 'accept-encoding': 'identity' }, signal: AbortSignal.timeout(120_000) });
      if (res.status !== 200) throw new Error(`GET /sdk/${name} answered ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      const gzip = gzipSync(body, { level: 9 }).length;
      const brotli = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).length;
      return { name, body, bytes: body.length, gzip, brotli };
    };
    let entry: Awaited<ReturnType<typeof sizes>>;
    try {
      entry = await sizes('closeloop.js');
    } catch (e) {
      return { status: 'unavailable', note: (e as Error).message };
    }
    // The files closeloop.js loads later (elements, SDK), by the names it holds; locales left out, and the
    // conversation file too (fetched only for feedback the customer can act on; its own budget, as in the build).
    const named = [...new Set(entry.body.toString().match(/closeloop-[a-z]+-[A-Za-z0-9]{10}\.js/g) ?? [])];
    const later = await Promise.all(named.filter((n) => !n.startsWith('closeloop-conversation-')).map(sizes));
    const files = [entry, ...later].map(({ name, bytes, gzip, brotli }) => ({ name, bytes, gzip, brotli }));
    const sum = (k: 'bytes' | 'gzip' | 'brotli') => files.reduce((n, f) => n + f[k], 0);
    const [bytes, gzip, brotli] = [sum('bytes'), sum('gzip'), sum('brotli')];
    if (!existsSync(CHROMIUM)) {
      return { status: 'unavailable', note: `sizes: ${bytes} B, ${gzip} B gzip, ${brotli} B brotli in ${files.length} files; no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
    }
    // The host page comes from another origin, as on a bank's own website.
    const html = hostPage(origin, o.channelKey);
    host.on('request', (req, r) => r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(req.url === '/empty' ? emptyPage : html));
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
    const page = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const times: number[] = [];
    const loaded: number[] = [];
    const before: number[] = [];
    const floor: number[] = [];
    let longTasks = 0;
    let longTaskMs = 0;
    const load = async (url: string) => {
      // A fresh context each time: nothing cached, as for a first visit.
      const context = await browser.newContext();
      try {
        const tab = await context.newPage();
        const cdp = await context.newCDPSession(tab);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await tab.goto(url, { waitUntil: 'load', timeout: 60_000 });
        const r = await tab.waitForFunction(() => (window as unknown as { __firstRender?: unknown }).__firstRender, undefined, { timeout: 60_000 });
        const first = (await r.jsonValue()) as { at: number; scriptLoaded: number | null; files: number; content: number };
        const tasks = (await tab.evaluate(() => (window as unknown as { __longTasks?: number[] }).__longTasks ?? [])) as number[];
        return { ...first, tasks };
      } finally {
        await context.close();
      }
    };
    try {
      // The page with the widget and the same page without it, in turn, so both see the same machine.
      for (let i = 0; i < o.runs + 1; i++) {
        const first = await load(page);
        const empty = await load(`${page}empty`);
        if (first.content === 0) throw new Error(`<${TAG}> rendered nothing`);
        if (i === 0) continue; // the first run warms Chromium itself, not the page
        times.push(first.at);
        loaded.push(first.scriptLoaded ?? NaN);
        before.push(first.files);
        longTasks += first.tasks.length;
        longTaskMs += first.tasks.reduce((a, b) => a + b, 0);
        floor.push(empty.at);
      }
    } finally {
      await browser.close();
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      status: 'ok', bytes, gzip, brotli, files, first: { bytes: entry.bytes, gzip: entry.gzip, brotli: entry.brotli },
      firstRenderMs: mid(times), scriptLoadedMs: mid(loaded), firstRenderRuns: times.map((t) => Math.round(t)), filesBeforeRender: mid(before),
      floorMs: mid(floor), floorRuns: floor.map((t) => Math.round(t)),
      runs: times.length, tag: TAG, longTasks: longTasks / times.length, longTaskMs: longTaskMs / times.length,
    };
  } catch (e) {
    return { status: 'failed', note: (e as Error).message.split('\n')[0]! };
  } finally {
    host.close();
    await api.stop();
  }
}
