// One live stream of ticket events for the whole console; screens listen for what concerns them.

import { TICKET_ROW } from './documents.ts';

export { TICKET_ROW };

export const EVENT_FIELDS = `sequence type visibility actorType actorName body createdAt toStatus
  feedback { trackingCode ticket { ${TICKET_ROW} } }`;

export interface TicketRow {
  id: string; status: string; kind: string; channel: string; priority: string; level: string; receivedAt: string;
  resolutionDueAt: string | null; firstResponseDueAt: string | null; firstRespondedAt: string | null; slaState: string | null;
  resolutionBreachedAt: string | null; firstResponseBreachedAt: string | null; updatedAt: string;
  department: { id: string; code: string; name: string } | null; assignee: { id: string; name: string } | null;
  customer: { id: string; name: string | null; tier: { code: string; name: string } | null } | null;
  feedback: Array<{ trackingCode: string; content: string }>;
}

export interface LiveEvent {
  sequence: string; type: string; visibility: string; actorType: string; actorName: string | null; body: string | null;
  createdAt: string; toStatus: string | null; feedback: { trackingCode: string; ticket: TicketRow };
}

const bus = new EventTarget();

export function emitTicketEvent(e: LiveEvent): void {
  bus.dispatchEvent(new CustomEvent('event', { detail: e }));
}

export function onTicketEvent(l: (e: LiveEvent) => void): () => void {
  const h = (ev: Event) => l((ev as CustomEvent<LiveEvent>).detail);
  bus.addEventListener('event', h);
  return () => bus.removeEventListener('event', h);
}

/** A shared one-second tick for SLA countdowns (one timer, however many rows show one). */
const tickers = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
export function onTick(l: () => void): () => void {
  tickers.add(l);
  timer ??= setInterval(() => tickers.forEach((f) => f()), 1000);
  return () => {
    tickers.delete(l);
    if (!tickers.size) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
