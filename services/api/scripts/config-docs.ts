// Writes (or with --check, verifies) the configuration table in docs/operations.md from config.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../src/config.ts';

export const DOC = new URL('../../../docs/operations.md', import.meta.url);
const START = '<!-- config-table:start (generated from services/api/src/config.ts: npm run docs:config) -->';
const END = '<!-- config-table:end -->';

/** The page with its table replaced by the one generated now. */
export function withCurrentTable(page: string): string {
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/operations.md lacks the ${START} … ${END} markers`);
  return `${page.slice(0, from + START.length)}\n${configTable()}\n${page.slice(to)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const page = readFileSync(DOC, 'utf8');
  const next = withCurrentTable(page);
  if (process.argv.includes('--check')) {
    if (next !== page) {
      process.stderr.write('docs/operations.md: the configuration table is stale; run `npm run docs:config`\n');
      process.exit(1);
    }
  } else writeFileSync(DOC, next);
}
