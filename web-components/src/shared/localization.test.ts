import { describe, expect, it } from 'vitest';
import { localeOf } from './localization.ts';

describe('localeOf', () => {
  it('picks the locale from a lang value', () => {
    expect(localeOf('en-GB')).toBe('en');
    expect(localeOf('zh-HK')).toBe('zh-TW');
    expect(localeOf('zh-Hant-TW')).toBe('zh-TW');
    expect(localeOf('zh')).toBe('zh-CN');
    expect(localeOf(null)).toBe('zh-CN');
  });
});
