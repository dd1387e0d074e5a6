// What the built /sdk/ files are and where they live, without esbuild: the API reads these in
// production (the release build serves web-components/dist and never loads a bundler).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a page needs before <cl-feedback-form> renders: closeloop.js alone, gzipped (13.3 KB: no larger, please). */
export const FIRST_BUDGET_BYTES = 13.5 * 1024;
/**
 * Everything the script may load but the locales and the conversation file: closeloop.js and its later
 * files, each gzipped; the benchmark's target. (34.2 KB with customer replies, 29.5 KB since the SDK's
 * file has its GraphQL documents compiled at build time instead of graphql.web's parser and printer
 * (−2.2 KB), and the graphql-transport-ws protocol as the SDK uses it instead of graphql-ws (−2.5 KB).)
 */
export const TOTAL_BUDGET_BYTES = 30 * 1024;
/**
 * closeloop-conversation-<hash>.js: the message box, uploads, withdrawal and review controls, fetched only
 * when a tracker shows feedback the customer can still act on; outside the total like the locales.
 */
export const CONVERSATION_BUDGET_BYTES = 6 * 1024;
export const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** A file's two encodings, at the levels the API serves them with and the budgets count. */
export const compress = (code: Buffer) => ({
  gzip: gzipSync(code, { level: 9 }),
  br: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } }),
});

/** closeloop-<part>-<hash>.js: its content never changes under that name. */
export const isHashed = (name: string) => /^closeloop-[a-z]+-[A-Za-z0-9]{10}\.js$/.test(name);

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
