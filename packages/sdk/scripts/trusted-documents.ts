// Writes trusted-documents.json: the SDK's operations as an Apollo persisted-query manifest, for
// hosts and gateways that want the list as a file. The API itself reads the same list from
// src/trusted-documents.ts at start, so it is never stale there.
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trustedDocuments } from '../src/trusted-documents.ts';

const target = fileURLToPath(new URL('../trusted-documents.json', import.meta.url));
const operations = trustedDocuments().map((d) => ({ id: createHash('sha256').update(d.body).digest('hex'), ...d }));
writeFileSync(`${target}.${process.pid}`, `${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }, null, 2)}\n`);
renameSync(`${target}.${process.pid}`, target);
console.log(`wrote ${target} (${operations.length} operations)`);
