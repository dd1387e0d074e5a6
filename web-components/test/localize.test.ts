// The translators' files (xliff/*.xlf) and the locale modules built from them (src/generated/) are
// committed. This runs `lit-localize extract` and `build` into a temporary folder and compares: it
// fails when a message was added or changed without `npm run localize:extract`, when a generated
// module was not rebuilt (`npm run localize:build`), or when a translation is missing.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const config = JSON.parse(readFileSync(join(root, 'lit-localize.json'), 'utf8'));
const cli = join(root, '..', 'node_modules', '@lit', 'localize-tools', 'bin', 'lit-localize.js');
const tmp = mkdtempSync(join(tmpdir(), 'closeloop-localize-'));
const read = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const units = (xlf: string) => [...xlf.matchAll(/<trans-unit id="([^"]+)">\s*<source>(.*?)<\/source>\s*(?:<target>(.*?)<\/target>)?/gs)];
const placeholders = (s: string) => [...s.matchAll(/<x id="(\d+)"/g)].map((m) => m[1]).sort();

beforeAll(() => {
  // The same configuration, reading the sources in place and writing beside a copy of the committed
  // XLIFF (in the temporary folder: lit-localize writes the locale-codes module relative to its cwd).
  cpSync(join(root, config.interchange.xliffDir), join(tmp, 'xliff'), { recursive: true });
  writeFileSync(join(tmp, 'lit-localize.json'), JSON.stringify({
    ...config,
    $schema: undefined,
    inputFiles: config.inputFiles.map((g: string) => join(root, g)),
    output: { ...config.output, outputDir: './locales', localeCodesModule: './locale-codes.ts' },
    interchange: { ...config.interchange, xliffDir: './xliff/' },
  }));
  for (const command of ['extract', 'build']) execFileSync(process.execPath, [cli, command, '--config', join(tmp, 'lit-localize.json')], { stdio: 'pipe', cwd: tmp });
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('translations', () => {
  it('the committed XLIFF files hold every message of the sources, as extracted', () => {
    expect(read(join(tmp, 'xliff')), 'run `npm run localize:extract -w @closeloop/web-components`').toEqual(read(join(root, 'xliff')));
  });

  it('the generated locale modules are built from the committed XLIFF', () => {
    expect(read(join(tmp, 'locales')), 'run `npm run localize:build -w @closeloop/web-components`').toEqual(read(join(root, 'src', 'generated', 'locales')));
    expect(readFileSync(join(tmp, 'locale-codes.ts'), 'utf8')).toBe(readFileSync(join(root, 'src', 'generated', 'locale-codes.ts'), 'utf8'));
  });

  it('every message has a translation in every target locale, with the same placeholders', () => {
    for (const locale of config.targetLocales) {
      const found = units(readFileSync(join(root, 'xliff', `${locale}.xlf`), 'utf8'));
      expect(found.length).toBeGreaterThan(100);
      const missing = found.filter((u) => !u[3]?.trim()).map((u) => u[1]);
      expect(missing, `${locale}: messages without a <target>`).toEqual([]);
      for (const [, id, source, target] of found) expect(placeholders(target!), `${locale} ${id}`).toEqual(placeholders(source!));
    }
  });
});
