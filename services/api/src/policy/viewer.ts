// Who is asking: resolved from a credential by auth/identity.ts, read by the access policy, the
// services and the schema alike (so none of them imports token verification for a type).
import type { ChannelApp, CustomerRow, StaffRow } from '@closeloop/db';
import type { ApiScope } from '@closeloop/domain';

export type Viewer =
  | { kind: 'ANONYMOUS'; channel: ChannelApp | null }
  /** `expiresAt`: when the customer's token expires (ms since the epoch); live streams end then. */
  | { kind: 'CUSTOMER'; channel: ChannelApp; customer: CustomerRow; expiresAt?: number }
  | { kind: 'STAFF'; staff: StaffRow }
  | { kind: 'PARTNER'; apiKey: { id: string; name: string; scopes: ApiScope[]; lastUsedAt?: Date | null } };
