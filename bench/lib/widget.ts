// The widget as a customer's browser gets it: whatever /sdk/closeloop.js the real API process serves
// (`closeloop start`, production mode) and the files it loads later, their gzip and brotli sizes, and
// the time until <cl-feedback-form> has rendered on an otherwise empty host page in headless Chromium
// with 4× CPU throttling, plus the long tasks seen until then. The host page is the markup
// docs/embedding.md recommends (a modulepreload hint in <head>, the script tag, the element). The same
// page without the widget, loaded in turn with it, gives the floor: what the browser takes for any page
// on this machine. With `against` (the dist/ folder of another build, e.g. a copy taken before a change),
// that build's files are served beside the API's from a third origin with the same headers, and its page
// is loaded in the same rotation: a side-by-side comparison on the same machine.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { log } from './progress.ts';
import { ROOT, stopChild, track } from './procs.ts';

/** First renders of one build's page: median, each run, and its long tasks per load. */
export interface WidgetLoads { firstRenderMs: number; firstRenderRuns: number[]; longTasks: number; longTaskMs: number; longestTaskMs: number }

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
      /** The longest task until first render, median over the loads (0: none over 50 ms). */
      longestTaskMs: number;
      /** The build given as `against`, measured in the same rotation. */
      against?: WidgetLoads & { dir: string; first: { bytes: number; gzip: number } };
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

// First render, on both pages: a requestAnimationFrame callback runs before that frame's style, layout
// and paint, so the time is taken in the task after it (a message posted from the callback), once the
// frame holding the form has been laid out and painted. The form counts as rendered when its shadow root
// holds the form with its text box and submit button and the element takes up room on the page.
const AFTER_FRAME = 'await new Promise((r) => requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); }));';

/** The host page without the widget: its first frame is the floor under any first render here. */
const emptyPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>host</title></head><body>
<script type="module">
  ${AFTER_FRAME}
  console.log('first-render ' + JSON.stringify({ at: performance.now(), scriptLoaded: null, files: 0, content: 1, tasks: [] }));
</script>
</body></html>`;

/** The embedding docs' markup (docs/embedding.md, "Official website"): the script from `sdk`, the API at `api`. */
const hostPage = (sdk: string, api: string, channelKey: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>host</title>
<link rel="modulepreload" href="${sdk}/sdk/closeloop.js">
<script>
  window.__longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
</script>
</head><body>
<script type="module" src="${sdk}/sdk/closeloop.js"></script>
<${TAG} channel-key="${channelKey}" endpoint="${api}/graphql"></${TAG}>
<script type="module">
  await customElements.whenDefined('${TAG}');
  const el = document.querySelector('${TAG}');
  await el.updateComplete;
  ${AFTER_FRAME}
  const files = performance.getEntriesByType('resource').filter((e) => e.name.startsWith('${sdk}/sdk/'));
  const script = files.find((e) => e.name.endsWith('/sdk/closeloop.js'));
  const root = el.shadowRoot;
  const usable = Boolean(root && root.querySelector('form textarea') && root.querySelector('form button[type=submit]') && el.getBoundingClientRect().height > 0);
  const at = performance.now();
  console.log('first-render ' + JSON.stringify({ at, scriptLoaded: script ? script.responseEnd : null, files: files.length, content: usable ? root.querySelectorAll('*').length : 0, tasks: window.__longTasks }));
</script>
</body></html>`;

/** Serves another build's dist/ as the API serves /sdk/: gzip, CORS, the same cache headers. */
function serveDist(dir: string) {
  const cache = new Map<string, Buffer>();
  return createServer((req, res) => {
    const name = (req.url ?? '').split('?')[0]!.replace(/^\/sdk\//, '');
    const path = join(dir, name);
    if (!/^[\w.-]+\.js$/.test(name) || !existsSync(path)) return void res.writeHead(404).end();
    let body = cache.get(name);
    if (!body) cache.set(name, (body = gzipSync(readFileSync(path), { level: 9 })));
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8', 'content-encoding': 'gzip', vary: 'accept-encoding',
      'access-control-allow-origin': '*', 'timing-allow-origin': '*', 'x-content-type-options': 'nosniff',
      'cache-control': name === 'closeloop.js' ? 'public, max-age=300' : 'public, max-age=31536000, immutable',
    }).end(body);
  });
}

export async function runWidget(o: { url: string; secretKey: Buffer; channelKey: string; runs: number; against?: string }): Promise<WidgetResult> {
  log('widget: starting the API (closeloop start, production) for /sdk/closeloop.js');
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi(o.url, o.secretKey);
  } catch (e) {
    return { status: 'failed', note: (e as Error).message };
  }
  const host = createServer();
  const other = serveDist(o.against ?? '.');
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
    // The other build, if any, from an origin of its own (its elements talk to the same API).
    let otherHtml = '';
    let otherFirst = { bytes: 0, gzip: 0 };
    if (o.against) {
      const code = readFileSync(join(o.against, 'closeloop.js'));
      otherFirst = { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
      otherHtml = hostPage(`http://127.0.0.1:${(other.address() as AddressInfo).port}`, origin, o.channelKey);
    }
    // The host page comes from another origin, as on a bank's own website.
    const html = hostPage(origin, origin, o.channelKey);
    host.on('request', (req, r) =>
      r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(req.url === '/empty' ? emptyPage : req.url === '/against' ? otherHtml : html),
    );
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
    const page = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const loaded: number[] = [];
    const before: number[] = [];
    const floor: number[] = [];
    const mine = { times: [] as number[], tasks: [] as number[][] };
    const theirs = { times: [] as number[], tasks: [] as number[][] };
    const load = async (url: string) => {
      // A fresh context each time: nothing cached, as for a first visit.
      const context = await browser.newContext();
      try {
        const tab = await context.newPage();
        const cdp = await context.newCDPSession(tab);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        // The page reports through the console: waiting with waitForFunction would have Playwright evaluate
        // its own script in the page (tens of ms under throttling) while the widget is still rendering.
        const reported = tab.waitForEvent('console', { predicate: (m) => m.text().startsWith('first-render '), timeout: 60_000 });
        await tab.goto(url, { waitUntil: 'commit', timeout: 60_000 });
        const first = JSON.parse((await reported).text().slice('first-render '.length)) as {
          at: number; scriptLoaded: number | null; files: number; content: number; tasks: number[];
        };
        return first;
      } finally {
        await context.close();
      }
    };
    try {
      // The page with the widget and the same page without it (and the other build's page), in turn, so
      // all see the same machine; the order alternates, so that no page always follows the same one.
      for (let i = 0; i < o.runs + 1; i++) {
        const order = o.against ? ['', 'empty', 'against'] : ['', 'empty'];
        if (i % 2) order.reverse();
        const got: Record<string, Awaited<ReturnType<typeof load>>> = {};
        for (const p of order) got[p] = await load(`${page}${p}`);
        for (const p of order) if (got[p]!.content === 0) throw new Error(`<${TAG}> rendered nothing${p ? ` (${p})` : ''}`);
        if (i === 0) continue; // the first run warms Chromium itself, not the page
        const first = got['']!;
        mine.times.push(first.at);
        mine.tasks.push(first.tasks);
        loaded.push(first.scriptLoaded ?? NaN);
        before.push(first.files);
        floor.push(got.empty!.at);
        if (got.against) {
          theirs.times.push(got.against.at);
          theirs.tasks.push(got.against.tasks);
        }
      }
    } finally {
      await browser.close();
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const loads = (r: { times: number[]; tasks: number[][] }): WidgetLoads => ({
      firstRenderMs: mid(r.times),
      firstRenderRuns: r.times.map((t) => Math.round(t)),
      longTasks: r.tasks.reduce((n, x) => n + x.length, 0) / r.tasks.length,
      longTaskMs: r.tasks.reduce((n, x) => n + x.reduce((a, b) => a + b, 0), 0) / r.tasks.length,
      longestTaskMs: mid(r.tasks.map((x) => Math.max(0, ...x))),
    });
    return {
      status: 'ok', bytes, gzip, brotli, files, first: { bytes: entry.bytes, gzip: entry.gzip, brotli: entry.brotli },
      ...loads(mine), scriptLoadedMs: mid(loaded), filesBeforeRender: mid(before),
      floorMs: mid(floor), floorRuns: floor.map((t) => Math.round(t)),
      runs: mine.times.length, tag: TAG,
      ...(o.against ? { against: { dir: o.against, first: otherFirst, ...loads(theirs) } } : {}),
    };
  } catch (e) {
    return { status: 'failed', note: (e as Error).message.split('\n')[0]! };
  } finally {
    host.close();
    if (other.listening) other.close();
    await api.stop();
  }
}
