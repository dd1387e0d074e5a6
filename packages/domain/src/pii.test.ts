import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isStrongIdempotencyKey, maskEmail, maskPhone } from './pii.ts';

describe('maskPhone', () => {
  it('shows the first 3 and last 4 digits of a mobile number', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('+86 138-0013-8000')).toBe('+861******8000');
    expect(maskPhone('010-1234567')).toBe('******4567');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('never reveals more than 7 digits, and hides at least 4 of any number with 4 or more', () => {
    fc.assert(fc.property(fc.stringMatching(/^\+?[0-9 ()-]{0,40}$/), (phone) => {
      const digits = phone.replace(/\D/g, '').length;
      const masked = maskPhone(phone);
      const shown = masked.replace(/[^0-9]/g, '').length;
      expect(shown).toBeLessThanOrEqual(7);
      if (digits >= 4) expect(digits - shown).toBeGreaterThanOrEqual(4);
      // The revealed digits are the real ones, in place: a prefix and a suffix of the digit string.
      const all = phone.replace(/\D/g, '');
      const [head, tail] = masked.replace(/^\+/, '').split(/\*+/);
      expect(all.startsWith(head ?? '')).toBe(true);
      expect(all.endsWith(tail ?? '')).toBe(true);
    }));
  });
});

describe('maskEmail', () => {
  it('keeps the first character of the local part and the domain', () => {
    expect(maskEmail('zhang@bank.com')).toBe('z***@bank.com');
    expect(maskEmail('not-an-address')).toBe('***');
  });

  it('reveals at most one character of the local part, whatever the address', () => {
    fc.assert(fc.property(fc.emailAddress(), (email) => {
      const masked = maskEmail(email);
      const at = email.lastIndexOf('@');
      expect(masked.endsWith(email.slice(at))).toBe(true);
      expect(masked.slice(0, masked.lastIndexOf('@')).replace(/\*/g, '').length).toBeLessThanOrEqual(1);
      if (at > 1) expect(masked).not.toContain(email.slice(0, at));
    }));
  });
});

describe('isStrongIdempotencyKey', () => {
  it('accepts random base64url keys of 22+ characters and UUIDs, refuses short and patterned ones', () => {
    for (let i = 0; i < 200; i++) expect(isStrongIdempotencyKey(randomBytes(17).toString('base64url'))).toBe(true);
    expect(isStrongIdempotencyKey(randomUUID())).toBe(true);
    for (const bad of ['retry-key-0001', 'a'.repeat(40), '1234567890123456789012', 'abababababababababababab', 'key with spaces and more letters', 'x'.repeat(200)]) {
      expect(isStrongIdempotencyKey(bad)).toBe(false);
    }
  });
});
