import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templates as en } from './en.ts';
import { templates as zhTW } from './zh-TW.ts';
import { localeOf } from '../shared/localization.ts';

/** Every msg id used in the components, read from the sources. */
function sourceIds(): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('locales')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\{ id: '([^']+)' \}/g)) ids.add(m[1]!);
      }
    }
  };
  walk(new URL('..', import.meta.url).pathname);
  return ids;
}

describe('locales', () => {
  it('zh-TW and en translate every message, and nothing else', () => {
    const ids = [...sourceIds()].sort();
    expect(ids.length).toBeGreaterThan(60);
    expect(Object.keys(en).sort()).toEqual(ids);
    expect(Object.keys(zhTW).sort()).toEqual(ids);
  });

  it('keeps the placeholders of parameterised messages', () => {
    type Template = { strings: string[]; values: number[] };
    const placeholders = (t: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === 'object').map(([id, v]) => [id, (v as Template).values]));
    for (const t of [en, zhTW]) {
      for (const v of Object.values(t)) if (typeof v === 'object') expect(v.strings).toHaveLength(v.values.length + 1);
    }
    expect(placeholders(zhTW)).toEqual(placeholders(en));
    expect(placeholders(en)['form.count']).toEqual([0, 1]);
  });

  it('picks the locale from a lang value', () => {
    expect(localeOf('en-GB')).toBe('en');
    expect(localeOf('zh-HK')).toBe('zh-TW');
    expect(localeOf('zh-Hant-TW')).toBe('zh-TW');
    expect(localeOf('zh')).toBe('zh-CN');
    expect(localeOf(null)).toBe('zh-CN');
  });
});
