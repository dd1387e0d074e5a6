import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse, print, type DocumentNode } from 'graphql';
import { trustedDocuments as sdkDocuments } from '@closeloop/sdk/trusted-documents';

const hashes = new WeakMap<DocumentNode, string>();

/**
 * A document's identity: sha256 of its printed form, operations first and fragments by name, so the
 * same operation matches however a client spaced or ordered it (the SDK's bundled and Node builds differ).
 */
export function documentHash(doc: DocumentNode): string {
  let h = hashes.get(doc);
  if (h === undefined) {
    const ops = doc.definitions.filter((d) => d.kind !== Kind.FRAGMENT_DEFINITION);
    const fragments = doc.definitions
      .filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
      .sort((a, b) => (a.kind === Kind.FRAGMENT_DEFINITION && b.kind === Kind.FRAGMENT_DEFINITION ? a.name.value.localeCompare(b.name.value) : 0));
    h = createHash('sha256').update(print({ ...doc, definitions: [...ops, ...fragments] })).digest('hex');
    hashes.set(doc, h);
  }
  return h;
}

/** Operations anonymous and customer callers may run in production. */
export class TrustedDocuments {
  private readonly known = new Set<string>();

  add(source: string): void {
    this.known.add(documentHash(parse(source, { noLocation: true })));
  }

  has(doc: DocumentNode): boolean {
    return this.known.has(documentHash(doc));
  }

  get size(): number {
    return this.known.size;
  }
}

/** Bodies from a host's file: a .graphql document, or JSON (an Apollo persisted-query manifest, a list, or a hash → body map). */
function bodiesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.json')) return [text];
  const json = JSON.parse(text) as unknown;
  if (Array.isArray(json)) return json.map((x) => (typeof x === 'string' ? x : String((x as { body?: unknown }).body)));
  const ops = (json as { operations?: Array<{ body: string }> }).operations;
  if (Array.isArray(ops)) return ops.map((o) => o.body);
  return Object.values(json as Record<string, string>);
}

/**
 * What the documentation tells a host's backend to send with a customer token (README, the hosted
 * portal): trusted as written there, so the documented integration works in production unchanged.
 */
export const DOCUMENTED_HOST_OPERATIONS = [
  'mutation { createPortalTicket { ... on PortalTicketPayload { portalPath } ... on Error { code message } } }',
];

/** The SDK's operations (read from its source, so never stale), the documented host operations and the host's files (CLOSELOOP_TRUSTED_DOCUMENTS). */
export function loadTrustedDocuments(files: string[] = []): TrustedDocuments {
  const trusted = new TrustedDocuments();
  for (const d of sdkDocuments()) trusted.add(d.body);
  for (const body of DOCUMENTED_HOST_OPERATIONS) trusted.add(body);
  for (const file of files) {
    for (const body of bodiesOf(file)) {
      try {
        trusted.add(body);
      } catch (e) {
        throw new Error(`${file}: not a GraphQL document (${(e as Error).message})`);
      }
    }
  }
  return trusted;
}
