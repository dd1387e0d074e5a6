// Customers' phone numbers and e-mail addresses: masked for readers without `pii:read`
// (access.ts canReadPiiOf), and every unmasked read by staff or a partner is audited (`pii.read`).
import { maskEmail, maskPhone } from '@closeloop/domain';
import type { Context } from '../context.ts';
import { canReadPiiOf } from './access.ts';
import { auditPiiRead } from '../services/audit.ts';
import { actorOf } from '../services/feedback.ts';

interface Batch { targets: Map<string, { type: string; id: string; fields: Set<string> }>; done: Promise<void> }
const batches = new WeakMap<Context, Batch>();

/** Collects the unmasked reads of one tick into one audit row; resolves once it is written. */
function recordRead(ctx: Context, type: string, id: string, field: string): Promise<void> {
  let batch = batches.get(ctx);
  if (!batch) {
    const targets: Batch['targets'] = new Map();
    const done = Promise.resolve().then(() => {
      batches.delete(ctx);
      const list = [...targets.values()].map((t) => ({ type: t.type, id: t.id, fields: [...t.fields].sort() }));
      return auditPiiRead(ctx.db, actorOf(ctx.viewer), list);
    });
    batches.set(ctx, (batch = { targets, done }));
  }
  const key = `${type}:${id}`;
  const t = batch.targets.get(key) ?? { type, id, fields: new Set<string>() };
  t.fields.add(field);
  batch.targets.set(key, t);
  return batch.done;
}

export interface PiiSubject {
  /** What the value belongs to, for the audit row. */
  type: 'Customer' | 'Feedback';
  id: string;
  /** The customer it identifies (null: an anonymous submitter's own contact). */
  customerId: string | null;
  /** The caller is the assignee of a ticket of this customer. */
  assigned: boolean;
  /** The caller proved the feedback's access key in this request (the submitter's own contact). */
  granted?: boolean;
}

/** The value as this caller may see it: unmasked (and audited for staff and partners) or masked. */
export async function contactValue(ctx: Context, s: PiiSubject, field: 'phone' | 'email', value: string | null): Promise<string | null> {
  if (value == null || value === '') return value;
  const v = ctx.viewer;
  const own = s.granted || (v.kind === 'CUSTOMER' && s.customerId !== null && v.customer.id === s.customerId);
  if (own) return value;
  if (!canReadPiiOf(v, s.customerId, s.assigned)) return field === 'phone' ? maskPhone(value) : maskEmail(value);
  await recordRead(ctx, s.type, s.id, field);
  return value;
}
