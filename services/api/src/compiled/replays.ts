// Compiled replays: a subscription's replayed events built by the database. For a known document (the
// widget's FeedbackProgress), the hub reads each replayed event's `next` payload beside the event, as
// select.ts's TimelineEvent expression, and the WebSocket sender writes it as it is; every row still
// passes the stream's own check first (realtime/subscriptions.ts), and live events are executed as before.
import { parse, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { CompiledReplays, ReplayPayload } from '../context.ts';
import type { Services } from '../services/index.ts';
import { mayEverSeeInternal } from '../policy/access.ts';
import { objectSql, rootScope, type Variant } from './select.ts';
import { requestAt, requestParams, signUrls, singleRoot, sqlWith } from './statement.ts';

interface Entry {
  operationName: string | null;
  key: string;
  /** The payload's text for callers who see public actor names, and for those who see who acted. */
  texts: [string, string];
}

/** Events of feedbackProgress are PUBLIC and of a feedback the caller follows: their files are visible as they are. */
const VARIANTS: Variant[] = [
  { timeline: 'public', request: requestAt(1), attachments: true },
  { timeline: 'all', request: requestAt(1), attachments: true },
];
/** The root fields whose replayed rows are timeline events of the hub's query (`timeline_events`). */
const EVENT_ROOTS = new Set(['feedbackProgress']);

function compile(schema: GraphQLSchema, document: DocumentNode): Entry | string {
  const found = singleRoot(schema, document, 'subscription');
  if (typeof found === 'string') return found;
  const { op, field, fragments } = found;
  if (!EVENT_ROOTS.has(field.name.value) || !field.selectionSet) return `${field.name.value}: not compiled`;
  const texts = VARIANTS.map((v) => objectSql('TimelineEvent', field.selectionSet!, rootScope('timeline_events', v, fragments)));
  if (texts.includes(null)) return `${field.name.value}: this selection is not compiled`;
  return { operationName: op.name?.value ?? null, key: field.alias?.value ?? field.name.value, texts: texts as [string, string] };
}

export function createCompiledReplays(o: { schema: GraphQLSchema; services: Services; documents: string[] }): CompiledReplays {
  const byKey = new Map<string, Entry>();
  for (const text of o.documents) {
    const document = parse(text);
    const entry = compile(o.schema, document);
    if (typeof entry === 'string') throw new Error(`Compiled replay does not compile: ${entry}\n${text}`);
    byKey.set(print(document), entry);
  }
  // graphql-ws parses each operation's text: the same text gives another DocumentNode each time.
  const byDocument = new WeakMap<DocumentNode, Entry | null>();
  return {
    payload(document, operationName, viewer): ReplayPayload | null {
      let entry = byDocument.get(document);
      if (entry === undefined) byDocument.set(document, (entry = byKey.get(print(document)) ?? null));
      if (!entry || (operationName != null && operationName !== entry.operationName)) return null;
      // TimelineEvent.actorName: who acted for readers of INTERNAL events, a display name for everyone else.
      const text = entry.texts[mayEverSeeInternal(viewer) ? 1 : 0];
      const head = `{"data":{${JSON.stringify(entry.key)}:`;
      return { column: sqlWith(text, requestParams(o.services)), finish: (json) => `${head}${signUrls(json, o.services)}}}` };
    },
  };
}
