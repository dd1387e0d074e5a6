// A staff member signed in with a one-time password (createStaff, resetStaffPassword) may only change
// it, sign out or ask who they are until they have chosen their own. Checked once per operation, on
// every transport (Yoga, the JSON fast path and WebSocket subscriptions), before anything executes.
import { GraphQLError, Kind, getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

const ALLOWED_ROOT_FIELDS = new Set(['changePassword', 'logout', 'login', 'viewer', '__typename']);

function refused(document: DocumentNode, operationName: string | null | undefined): boolean {
  const op = getOperationAST(document, operationName);
  if (!op) return false; // graphql reports the missing operation itself
  return op.selectionSet.selections.some((s) => s.kind !== Kind.FIELD || !ALLOWED_ROOT_FIELDS.has(s.name.value));
}

const error = () => new GraphQLError('Change your one-time password first (changePassword)', {
  extensions: { code: 'PASSWORD_CHANGE_REQUIRED', http: { status: 403 } },
});

export function usePasswordChangeGate(): Plugin<Context> {
  const gate = ({ args, setResultAndStopExecution }: { args: { contextValue: Context; document: DocumentNode; operationName?: string | null }; setResultAndStopExecution: (r: never) => void }) => {
    const v = args.contextValue.viewer;
    if (v?.kind === 'STAFF' && v.staff.mustChangePassword && refused(args.document, args.operationName)) {
      setResultAndStopExecution({ errors: [error()] } as never);
    }
  };
  return { onExecute: gate as never, onSubscribe: gate as never };
}
