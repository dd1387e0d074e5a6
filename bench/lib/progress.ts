// A one-line progress bar on stderr, so stdout stays clean for the result table.
const tty = process.stderr.isTTY;

export function progress(label: string, total: number) {
  const started = performance.now();
  let last = -1;
  const draw = (done: number, final = false) => {
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const whole = Math.floor(pct * 100);
    // Without a terminal, print every 10 % rather than redrawing.
    if (whole === last && (!final || !tty)) return;
    if (!final && !tty && whole % 10 !== 0) return;
    last = whole;
    const width = 30;
    const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '.');
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const line = `  ${label.padEnd(24)} [${bar}] ${String(whole).padStart(3)}%  ${done.toLocaleString('en')}/${total.toLocaleString('en')}  ${secs}s`;
    process.stderr.write(tty ? `\r${line}${final ? '\n' : ''}` : `${line}\n`);
  };
  return {
    update: (done: number) => draw(done),
    done: () => draw(total, true),
  };
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
