/** Details of the DOM events the elements dispatch (bubbling and composed). */
export interface SubmittedDetail { trackingCode: string; accessKey: string | null; feedbackId: string; replayed: boolean }
export interface StatusChangedDetail { trackingCode: string; status: string; previous: string | null }
export interface RatedDetail { trackingCode: string; rating: number; comment: string | null }
export interface SelectDetail { trackingCode: string; accessKey?: string | null }
export interface ErrorDetail { code: string; message: string }
export interface MessageSentDetail { trackingCode: string; event: unknown; accessKey: string | null }
export interface CaseActionDetail { trackingCode: string; status: string }
export interface ConnectionDetail { status: 'connecting' | 'live' | 'reconnecting' | 'closed' }

declare global {
  interface HTMLElementEventMap {
    'cl-submitted': CustomEvent<SubmittedDetail>;
    'cl-track': CustomEvent<SelectDetail>;
    'cl-status-changed': CustomEvent<StatusChangedDetail>;
    'cl-rated': CustomEvent<RatedDetail>;
    'cl-select': CustomEvent<SelectDetail>;
    'cl-error': CustomEvent<ErrorDetail>;
    'cl-connection': CustomEvent<ConnectionDetail>;
    'cl-message-sent': CustomEvent<MessageSentDetail>;
    'cl-withdrawn': CustomEvent<CaseActionDetail>;
    'cl-review-requested': CustomEvent<CaseActionDetail>;
  }
}
