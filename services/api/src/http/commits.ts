import type { TimelineRow } from '../services/events.ts';
import type { EventBus } from '../realtime/bus.ts';
import { log } from '../log.ts';

export type CommitListener = (events: TimelineRow[]) => void;

/**
 * What happens after each committed change: the bus hears its highest event id (every process's
 * subscribers then read the new events), and this process's listeners get the events.
 */
export function commitFanout(bus: EventBus, traceCommits: boolean) {
  const listeners = new Set<CommitListener>();
  const onCommit = (events: TimelineRow[]) => {
    if (events.length === 0) return;
    let seq = 0;
    for (const e of events) if (Number(e.id) > seq) seq = Number(e.id);
    // Benchmarks read this line to time commit → receipt.
    if (traceCommits) process.stdout.write(`commit-trace ${seq} ${(performance.timeOrigin + performance.now()).toFixed(3)}\n`);
    bus.publish({ seq });
    for (const l of listeners) {
      try {
        l(events);
      } catch (e) {
        log.error({ err: e }, 'event listener failed');
      }
    }
  };
  const subscribe = (listener: CommitListener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { onCommit, subscribe };
}
