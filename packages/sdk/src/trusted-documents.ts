import { stringifyDocument, type TypedDocumentNode } from '@urql/core';
import * as ops from './operations.ts';

export interface TrustedDocument {
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The text exactly as the SDK sends it. */
  body: string;
}

/**
 * Every operation the SDK (and so the components and the portal) sends: each operation export of
 * operations.ts, read at build or start time, so a new operation is trusted without a second step.
 * In production the API runs only these for anonymous and customer callers (docs/security.md).
 */
export function trustedDocuments(): TrustedDocument[] {
  const out: TrustedDocument[] = [];
  for (const [name, doc] of Object.entries(ops) as Array<[string, TypedDocumentNode]>) {
    const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
    if (!op || op.kind !== 'OperationDefinition') continue; // fragments travel inside operations
    out.push({ name, type: op.operation, body: stringifyDocument(doc) });
  }
  return out;
}
