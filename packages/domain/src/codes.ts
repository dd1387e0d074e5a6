// Crockford base32 without I, L, O, U: readable over the phone, no ambiguous glyphs.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type RandomBytes = (n: number) => Uint8Array;

function encode(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

/** `FB-7K2M-9QXA`: 40 random bits; the access key, not the code, is the secret. */
export function makeTrackingCode(random: RandomBytes): string {
  const s = encode(random(8), 8);
  return `FB-${s.slice(0, 4)}-${s.slice(4)}`;
}

export const TRACKING_CODE_PATTERN = /^FB-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** Normalises what a customer types: case, spaces, look-alike letters. */
export function normalizeTrackingCode(input: string): string {
  return input.trim().toUpperCase().replace(/\s+/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

/** Access key: 26 symbols = 130 random bits. */
export function makeAccessKey(random: RandomBytes): string {
  return encode(random(26), 26);
}
