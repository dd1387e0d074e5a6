// `npm run bench:widget [-- --runs 7] [--against DIR]`: the widget part of `npm run bench` alone, on a small
// database of its own (the schema, the base seed and one web channel; the widget reads no feedback before it
// renders). Prints the sizes and the first render beside the empty page's, with the load average, and writes
// bench/results/widget.json. `--against DIR` also loads another build's files (a copy of web-components/dist
// taken before a change) in the same rotation, for a side-by-side comparison on the same machine.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@closeloop/db';
import { Identity } from '../services/api/src/auth/identity.ts';
import { createChannel } from '../services/api/src/admin.ts';
import { seedBase } from '../services/api/src/seed.ts';
import { createBenchDatabase } from './lib/data.ts';
import { BENCH_DIR, killAll } from './lib/procs.ts';
import { runWidget } from './lib/widget.ts';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 7;
const a = process.argv.indexOf('--against');
const against = a >= 0 ? process.argv[a + 1] : undefined;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const db = await createBenchDatabase(adminUrl);
try {
  const secretKey = randomBytes(32);
  const handle = await createDatabase({ url: db.url, max: 2 });
  let channelKey: string;
  try {
    await handle.migrate();
    await seedBase(handle.db);
    const identity = new Identity({ db: handle.db, secretKey, staffSessionTtlSeconds: 3600 });
    channelKey = (await createChannel(handle.db, identity, { name: 'Bench web', kind: 'WEB' })).publishableKey;
  } finally {
    await handle.close();
  }
  const loadBefore = loadavg();
  const widget = await runWidget({ url: db.url, secretKey, channelKey, runs, against });
  const result = { at: new Date().toISOString(), loadavgBefore: loadBefore, loadavgAfter: loadavg(), widget };
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'widget.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (widget.status !== 'ok') console.log(`widget: ${widget.status}: ${widget.note}`);
  else {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    for (const f of widget.files) console.log(`${f.name}: ${kb(f.gzip)} gzip, ${kb(f.brotli)} brotli`);
    console.log(`all ${widget.files.length} files: ${kb(widget.gzip)} gzip (${kb(widget.brotli)} brotli); closeloop.js ${kb(widget.first.gzip)} gzip`);
    console.log(`first render: median ${Math.round(widget.firstRenderMs)} ms (runs ${widget.firstRenderRuns.join(', ')}); script loaded at ${Math.round(widget.scriptLoadedMs)} ms; ${widget.filesBeforeRender} file(s) before it`);
    console.log(`empty page:   median ${Math.round(widget.floorMs)} ms (runs ${widget.floorRuns.join(', ')})`);
    const tasks = (w: { longTasks: number; longTaskMs: number; longestTaskMs: number }) => `long tasks per load ${w.longTasks.toFixed(1)}, ${Math.round(w.longTaskMs)} ms in all, the longest ${Math.round(w.longestTaskMs)} ms (median)`;
    console.log(`widget adds ${Math.round(widget.firstRenderMs - widget.floorMs)} ms (median − median; target ≤ 100), ${(widget.firstRenderMs / widget.floorMs).toFixed(2)}× the empty page; ${tasks(widget)}`);
    if (widget.against) {
      const w = widget.against;
      console.log(`against ${w.dir} (closeloop.js ${kb(w.first.gzip)} gzip): median ${Math.round(w.firstRenderMs)} ms (runs ${w.firstRenderRuns.join(', ')})`);
      console.log(`  it adds ${Math.round(w.firstRenderMs - widget.floorMs)} ms, ${(w.firstRenderMs / widget.floorMs).toFixed(2)}× the empty page; this build / it ${(widget.firstRenderMs / w.firstRenderMs).toFixed(2)}; ${tasks(w)}`);
    }
    console.log(`loadavg before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  }
} finally {
  killAll();
  await db.drop();
}
