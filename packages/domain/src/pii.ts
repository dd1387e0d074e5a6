// Masking of customers' contact details for readers without `pii:read` (docs/security.md).

/**
 * A phone number with most digits hidden: 11 or more digits keep the first 3 and the last 4
 * (13800138000 → 138****8000); 8–10 digits keep the last 4; shorter numbers are hidden entirely.
 * Separators are dropped so their positions reveal nothing; a leading + is kept.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const plus = phone.trimStart().startsWith('+') ? '+' : '';
  const n = digits.length;
  if (n >= 11) return `${plus}${digits.slice(0, 3)}${'*'.repeat(n - 7)}${digits.slice(-4)}`;
  if (n >= 8) return `${plus}${'*'.repeat(n - 4)}${digits.slice(-4)}`;
  return `${plus}${'*'.repeat(Math.max(n, 4))}`;
}

/** An e-mail address with the local part hidden but its first character: zhang@bank.com → z***@bank.com. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${[...email.slice(0, at)][0]}***${email.slice(at)}`;
}

/**
 * Accepted anonymous idempotency keys: 22–128 characters of the base64url alphabet (22 random
 * characters carry 132 bits; a UUIDv4 string passes too), not visibly patterned. The SDK sends
 * `cl_` + 22 random characters.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * True when `key` has the format above and does not look hand-made (fewer than 10 distinct
 * characters, one character making up more than a third of it, or mostly runs such as abc/321): randomness cannot be proven, but
 * keys such as "aaaa…" or "1234567890123456789012" are refused.
 */
export function isStrongIdempotencyKey(key: string): boolean {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) return false;
  const counts = new Map<string, number>();
  for (const ch of key) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < 10 || Math.max(...counts.values()) * 3 > key.length) return false;
  let steps = 0;
  for (let i = 1; i < key.length; i++) if (Math.abs(key.charCodeAt(i) - key.charCodeAt(i - 1)) === 1) steps++;
  return steps * 2 < key.length;
}
