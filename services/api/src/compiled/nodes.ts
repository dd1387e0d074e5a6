// node(id:) for a Ticket — the ticket with its timeline, feedback, customer and handling (schema/ticket.ts,
// the relay plugin's node field): one statement per caller scope. The ticket's own rule (canReadTicket) is
// applied in the server to the columns returned beside the JSON, as the type's authScopes does; an id of
// another type or of a ticket the caller may not read is left to the schema, which answers with its
// error; an id of no ticket is null, as on the schema path. Parameters: $1 the ticket, $2 the caller's department scope, $3 the
// caller, $4…$7 the request's values, $8 whether the caller may write at all.
import { Kind } from 'graphql';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { canReadTicket, departmentScope, isStaffWriter, partnerHas } from '../policy/access.ts';
import { objectSql, rootScope, type Variant } from './select.ts';
import { argument } from './args.ts';
import { AnswerBySchema, perVariant, requestAt, requestParams, signUrls, type Root } from './statement.ts';
import { partnerReadsType } from './tickets.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const scoped = { dept: '$2::uuid', staff: '$3::uuid' };
const write = { may: '$8', dept: '$2', staff: '$3' };
/** Every ticket (staff of every department, partners), and a department-bound staff member's scope. */
const NODE_VARIANTS: Variant[] = [
  { timeline: 'all', scope: null, request: requestAt(4), attachments: true, write },
  { timeline: scoped, scope: scoped, request: requestAt(4), attachments: true, write },
];

interface NodeRow { department_id: string | null; assignee_id: string | null; collaborator_department_ids: string[]; collaborator_staff_ids: string[]; json: string }

export const node: Root = (op, field, fragments) => {
  const id = argument(op, field, 'id', 'ID');
  if (!id || id.absent || field.arguments!.length !== 1 || !field.selectionSet) return null;
  // Only selections that read a Ticket: its inline fragments (and id / __typename, which every type answers).
  for (const s of field.selectionSet.selections) {
    if (s.kind === Kind.FRAGMENT_SPREAD) return null;
    if (s.kind === Kind.INLINE_FRAGMENT && s.typeCondition?.name.value !== 'Ticket') return null;
  }
  let types: string[] = [];
  const statements = perVariant((variant) => {
    const scope = rootScope('t', variant, fragments);
    const json = objectSql('Ticket', field.selectionSet!, scope);
    types = [...scope.types];
    return json && `select t.department_id, t.assignee_id, t.collaborator_department_ids, t.collaborator_staff_ids, ${json}::text as json from tickets t where t.id = $1::uuid`;
  }, NODE_VARIANTS);
  if (!statements || statements.includes(null)) return null;
  return (ctx, variables) => {
    const v = ctx.viewer;
    const given = id.value(variables);
    if (typeof given !== 'string' || (v.kind !== 'STAFF' && v.kind !== 'PARTNER')) return undefined;
    if (v.kind === 'PARTNER' && !types.every((t) => partnerReadsType(v, t))) return undefined;
    let ticketId: string;
    try {
      const decoded = decodeGlobalID(given);
      if (decoded.typename !== 'Ticket' || !UUID.test(decoded.id)) return undefined;
      ticketId = decoded.id;
    } catch {
      return undefined;
    }
    const dept = departmentScope(v);
    const run = statements[dept === null ? 0 : 1]!;
    const may = v.kind === 'PARTNER' ? partnerHas(v, 'tickets:write') : isStaffWriter(v);
    return async () => {
      const [row] = await run<NodeRow>(ctx.db, [ticketId, dept, v.kind === 'STAFF' ? v.staff.id : null, ...requestParams(ctx.services), may]);
      // No such ticket: null, as the schema's node field answers it (nothing to hide: any ID may be of nothing).
      if (!row) return 'null';
      const facts = { departmentId: row.department_id, assigneeId: row.assignee_id, collaboratorDepartmentIds: row.collaborator_department_ids, collaboratorStaffIds: row.collaborator_staff_ids };
      if (!canReadTicket(v, facts)) throw new AnswerBySchema();
      return signUrls(row.json, ctx.services);
    };
  };
};
