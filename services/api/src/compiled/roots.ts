// The root fields a compiled document may select, each with the same arguments, authorization and
// answer as its resolver in schema/. A root turns its field's selection into prepared statements (one
// per Variant) and, per request, the argument values into parameters and the rows into the field's
// JSON text. Authorization is the resolver's own: the same predicates (access.ts) either as parameters
// of the statement or applied to the columns the statement returns beside the JSON.
import { normalizeTrackingCode } from '@closeloop/domain';
import { canReadFeedback } from '../policy/access.ts';
import { MAX_PAGE } from '../schema/ids.ts';
import { fromMs, objectSql, rootScope } from './select.ts';
import { argument } from './args.ts';
import { type Root, keysetPosition, perVariant, requestAt, requestParams, scopeParams, signUrls, variantOf } from './statement.ts';
import { tickets } from './tickets.ts';
import { node } from './nodes.ts';

export type { Root, RootRun, RunContext } from './statement.ts';

interface TrackRow {
  id: string; customer_id: string | null; department_id: string | null; assignee_id: string | null;
  collaborator_department_ids: string[]; collaborator_staff_ids: string[]; json: string;
}

/** trackFeedback(trackingCode:, accessKey:) — schema/feedback.ts. */
const trackFeedback: Root = (op, field, fragments) => {
  const code = argument(op, field, 'trackingCode', 'String');
  const key = argument(op, field, 'accessKey', 'String');
  if (!code || !key || !field.selectionSet || field.arguments!.length !== [code, key].filter((a) => !a.absent).length) return null;
  const sel = field.selectionSet;
  const statements = perVariant((variant) => {
    const json = objectSql('Feedback', sel, rootScope('f', variant, fragments));
    // The columns beside the JSON are what canReadFeedback reads (the Feedback type's own selection).
    return json && `select f.id, f.customer_id, t.department_id, t.assignee_id, t.collaborator_department_ids, t.collaborator_staff_ids, ${json}::text as json`
      + ` from feedback f join tickets t on t.id = f.ticket_id where f.tracking_code = $1 limit 1`;
  });
  if (!statements) return null;
  return (ctx, variables) => {
    const given = code.value(variables);
    const accessKey = key.value(variables);
    const run = statements[variantOf(ctx.viewer)];
    if (given === undefined || accessKey === undefined || !run) return undefined;
    return async () => {
      // As the resolver: every attempt counts (unknown codes, wrong keys, overlong codes) before the read.
      await ctx.accessCheck(given as string);
      const normalized = normalizeTrackingCode(given as string);
      if (normalized.length > 32) return 'null';
      const [row] = await run<TrackRow>(ctx.db, [normalized, ...scopeParams(ctx.viewer), ...requestParams(ctx.services)]);
      if (!row) return 'null';
      if (accessKey && ctx.services.feedback.verifyAccessKey(row.id, accessKey as string)) return signUrls(row.json, ctx.services);
      const ticket = { departmentId: row.department_id, assigneeId: row.assignee_id, collaboratorDepartmentIds: row.collaborator_department_ids, collaboratorStaffIds: row.collaborator_staff_ids };
      const f = { id: row.id, customerId: row.customer_id, ticket };
      return canReadFeedback(ctx.viewer, new Set(), f) ? signUrls(row.json, ctx.services) : 'null';
    };
  };
};

/**
 * feedbacks(first:) for a signed-in customer: their own feedback, newest first (schema/feedback.ts,
 * feedbackWhere). Other callers, and pages the schema refuses, run through the schema.
 */
const feedbacks: Root = (op, field, fragments) => {
  const first = argument(op, field, 'first', 'Int');
  const after = argument(op, field, 'after', 'String');
  if (!first || first.absent || !after || field.arguments!.length !== (after.absent ? 1 : 2) || !field.selectionSet) return null;
  const sel = field.selectionSet;
  const ORDER = 'order by received_at desc, id desc';
  const statements = perVariant((variant) => {
    const json = objectSql('QueryFeedbacksConnection', sel, rootScope('f', variant, fragments));
    // after: at $13 and $14 as in the queue (select.ts PageInfo reads $13).
    return json && `select ${json}::text as json from (select q.*, row_number() over (${ORDER}) as rn from (select * from feedback where customer_id = $1`
      + ` and ($13::bigint is null or (received_at, id) < (${fromMs('$13')}, $14::uuid)) ${ORDER} limit $2::int + 1) q) f join tickets t on t.id = f.ticket_id`;
  }, [{ timeline: 'public', request: requestAt(3), attachments: true }]);
  if (!statements) return null;
  return (ctx, variables) => {
    const n = first.value(variables) as number | null | undefined;
    const v = ctx.viewer;
    if (v.kind !== 'CUSTOMER' || n == null || n < 1 || n > MAX_PAGE) return undefined;
    const cursor = after.value(variables);
    const position = cursor ? keysetPosition(cursor as string) : null;
    if (cursor === undefined || (cursor && !position)) return undefined;
    return async () => {
      // Customers see PUBLIC events only.
      const params = [v.customer.id, n, ...requestParams(ctx.services), null, null, null, null, null, null, position?.ms ?? null, position?.id ?? null];
      const [row] = await statements[0]!<{ json: string }>(ctx.db, params);
      return signUrls(row!.json, ctx.services);
    };
  };
};

export const ROOTS: Record<string, Root> = { trackFeedback, feedbacks, tickets, node };
