// Preloaded (node --import) into the API processes `npm run bench:fanout` starts.
// - Their stdin is a pipe from the benchmark: when the benchmark dies, even by SIGKILL, the server sees
//   it end and stops.
// - With FANOUT_MEMORY_DETAIL=1, SIGUSR2 (which also makes the server print its memory-trace line) prints
//   where the resident memory is: V8 heap spaces (used / committed) and the process's anonymous RSS.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();

process.on('SIGUSR2', () => {
  // Full collections until the heap stops shrinking (each one compacts a few more fragmented pages).
  let total = Infinity;
  let gcs = 0;
  while (globalThis.gc && gcs < 20) {
    globalThis.gc();
    gcs++;
    const now = process.memoryUsage().heapTotal;
    if (now > total * 0.99) break;
    total = now;
  }
  if (process.env.FANOUT_MEMORY_DETAIL === '1') {
    const kb = (n) => Math.round(n / 1024);
    const spaces = v8.getHeapSpaceStatistics().map((s) => `${s.space_name}=${kb(s.space_used_size)}/${kb(s.physical_space_size)}`);
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (name) => new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? '?';
    const m = process.memoryUsage();
    process.stderr.write(
      `memory-detail gcs=${gcs} rss=${kb(m.rss)} anon=${field('RssAnon')} file=${field('RssFile')} heapUsed=${kb(m.heapUsed)} heapTotal=${kb(m.heapTotal)} ` +
        `external=${kb(m.external)} arrayBuffers=${kb(m.arrayBuffers)} KB; spaces used/physical KB: ${spaces.join(' ')}\n`,
    );
  }
});
