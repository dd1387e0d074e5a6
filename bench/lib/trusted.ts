import { loadTrustedDocuments } from '../../services/api/src/limits/trusted-documents.ts';
import { COMPILED_DOCUMENTS } from '../../services/api/src/compiled/documents.ts';
import { SUBMIT_Q, TRACK_NORMAL_Q, TRACK_Q } from './cases.ts';

/**
 * The production server's options for a benchmark: the load comes from one address, so abuse limits
 * are off, and the anonymous cases' documents are trusted as a host registers its own (docs/security.md).
 */
export function benchAppOptions() {
  const trustedDocuments = loadTrustedDocuments();
  for (const q of [TRACK_Q, TRACK_NORMAL_Q, SUBMIT_Q, ...COMPILED_DOCUMENTS]) trustedDocuments.add(q);
  return { production: true, limits: false as const, trustedDocuments };
}
