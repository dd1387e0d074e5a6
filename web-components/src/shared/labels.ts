import { msg } from '@lit/localize';

/** Labels shared by several elements; evaluated at render time so they follow the locale. */
export const KINDS = ['COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY'] as const;

export function kindLabel(kind: string): string {
  switch (kind) {
    case 'COMPLAINT': return msg('投诉', { id: 'kind.COMPLAINT' });
    case 'SUGGESTION': return msg('建议', { id: 'kind.SUGGESTION' });
    case 'PRAISE': return msg('表扬', { id: 'kind.PRAISE' });
    default: return msg('咨询', { id: 'kind.INQUIRY' });
  }
}

export function statusLabel(status: string): string {
  switch (status) {
    case 'SUBMITTED': return msg('已提交', { id: 'status.SUBMITTED' });
    case 'ACKNOWLEDGED': return msg('已受理', { id: 'status.ACKNOWLEDGED' });
    case 'IN_PROGRESS': return msg('处理中', { id: 'status.IN_PROGRESS' });
    case 'AWAITING_CUSTOMER': return msg('待您回复', { id: 'status.AWAITING_CUSTOMER' });
    case 'RESOLVED': return msg('已解决', { id: 'status.RESOLVED' });
    default: return msg('已关闭', { id: 'status.CLOSED' });
  }
}
