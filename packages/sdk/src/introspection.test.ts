import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../scripts/introspect.ts';

describe('introspection.d.ts', () => {
  it('matches the committed schema.graphql (run `npm run introspect -w @closeloop/sdk` after schema changes)', () => {
    expect(readFileSync(new URL('./introspection.d.ts', import.meta.url), 'utf8')).toBe(generate());
  });
});
