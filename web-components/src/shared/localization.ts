import { configureLocalization } from '@lit/localize';
import { sourceLocale, targetLocales } from '../generated/locale-codes.ts';

export const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

// Runtime mode. zh-CN lives in the components; zh-TW and en are the modules `lit-localize build` writes
// from xliff/*.xlf (npm run localize:build), fetched only when used.
export const { getLocale, setLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: (locale) => (locale === 'en' ? import('../generated/locales/en.ts') : import('../generated/locales/zh-TW.ts')) as never,
});

/** Maps a `lang` value to a supported locale: zh-TW/zh-HK/zh-Hant → zh-TW, en* → en, else zh-CN. */
export function localeOf(lang: string | null | undefined): Locale {
  const l = (lang ?? '').toLowerCase();
  if (l.startsWith('en')) return 'en';
  if (/^zh-(tw|hk|mo|hant)/.test(l)) return 'zh-TW';
  return 'zh-CN';
}
