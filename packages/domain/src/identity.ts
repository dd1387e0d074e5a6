// Identity realms and password policy: pure rules shared by the API, the CLI and the console.

/** The identity realm of the institution's own channels (site, app, mini-program): one customer everywhere. */
export const DEFAULT_REALM = 'default';

/** Realm names: letters, digits, '-', '_' and ':' (e.g. `partner-acme`, or `partner:<publishable key>`). */
export const REALM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_-]{0,99}$/;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, previous?: string | null): { code: string; message: string } | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { code: 'TOO_SHORT', message: `A password needs at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  if (password.length > MAX_PASSWORD_LENGTH) return { code: 'TOO_LONG', message: `A password has at most ${MAX_PASSWORD_LENGTH} characters` };
  if (previous != null && password === previous) return { code: 'SAME_AS_OLD', message: 'The new password must differ from the current one' };
  if (new Set(password).size < 4) return { code: 'TOO_SIMPLE', message: 'A password needs at least 4 different characters' };
  return null;
}
