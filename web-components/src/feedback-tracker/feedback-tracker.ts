import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import type { ProgressEvent, ResultOf, operations } from '@closeloop/sdk';
import { ClElement } from '../shared/base.ts';
import { kindLabel, statusLabel } from '../shared/labels.ts';
import '../satisfaction-survey/satisfaction-survey.ts';
import { loadConversation } from '../shared/load-conversation.ts';
import type { CaseActionDetail, MessageSentDetail, RatedDetail } from '../events.ts';
import { styles } from './feedback-tracker.styles.ts';

type Feedback = NonNullable<ResultOf<typeof operations.TrackFeedback>['trackFeedback']>;

/** The stepper's stops; AWAITING_CUSTOMER is shown on the IN_PROGRESS stop. */
export const STEPS = ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'] as const;

export function stepIndex(status: string): number {
  return STEPS.indexOf((status === 'AWAITING_CUSTOMER' ? 'IN_PROGRESS' : status) as (typeof STEPS)[number]);
}

/** Adds an event unless already there (a resumed stream may overlap the initial query); keeps order. */
export function mergeEvent<E extends { id: string; position: number }>(events: readonly E[], e: E): E[] {
  if (events.some((x) => x.id === e.id)) return events as E[];
  return [...events, e].sort((a, b) => a.position - b.position);
}

export function eventTitle(e: Pick<ProgressEvent, 'type' | 'toStatus' | 'actorName'>): string {
  switch (e.type) {
    case 'SUBMITTED': return msg('反馈已提交', { id: 'ev.submitted' });
    case 'STATUS_CHANGED': return msg(str`状态更新为「${statusLabel(e.toStatus ?? '')}」`, { id: 'ev.status' });
    case 'PUBLIC_REPLY': return msg('客服回复', { id: 'ev.reply' });
    case 'RATED': return msg('您已评价', { id: 'ev.rated' });
    case 'MERGED': return msg('已与同类反馈合并处理', { id: 'ev.merged' });
    case 'CUSTOMER_MESSAGE': return msg('您的留言', { id: 'ev.message' });
    case 'WITHDRAWN': return msg('您已撤回反馈', { id: 'ev.withdrawn' });
    case 'REVIEW_REQUESTED': return msg('您已申请复核', { id: 'ev.review' });
    default: return msg('处理进展', { id: 'ev.other' });
  }
}

/** The staff's open question while the ticket awaits the customer: the latest public staff text. */
export function staffQuestion<E extends { type: string; toStatus?: string | null; body?: string | null; actorType: string }>(events: readonly E[]): E | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.actorType === 'CUSTOMER' || e.actorType === 'ANONYMOUS') return undefined; // already answered
    if (e.body && (e.type === 'PUBLIC_REPLY' || (e.type === 'STATUS_CHANGED' && e.toStatus === 'AWAITING_CUSTOMER'))) return e;
  }
  return undefined;
}

const OPEN = ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER'];

/**
 * <cl-feedback-tracker tracking-code access-key>: status stepper, public timeline with attachments,
 * expected resolution date, live updates with a visible reconnecting state, the staff's question while
 * they await the customer, a message box with attachments, withdrawal and review requests (loaded
 * lazily), and the satisfaction survey once resolved (unless `no-survey`).
 *
 * @tag cl-feedback-tracker
 * @summary Live progress of one feedback.
 * @attr {string} tracking-code - the feedback's tracking code (FB-XXXX-XXXX)
 * @attr {string} access-key - the access key anonymous submitters received; the signed-in owner needs none
 * @attr {boolean} no-survey - do not offer the satisfaction survey once resolved
 * @attr {string} lang - the element's language (zh-CN, zh-TW or en); default the page's
 * @fires {CustomEvent<StatusChangedDetail>} cl-status-changed - the status changed (live)
 * @fires {CustomEvent<ConnectionDetail>} cl-connection - the live connection's state: connecting, live, reconnecting, closed
 * @fires {CustomEvent<RatedDetail>} cl-rated - the customer rated the resolution (from the embedded survey)
 * @fires cl-message-sent - the customer's message was stored
 * @fires cl-withdrawn - the customer withdrew the feedback
 * @fires cl-review-requested - the customer asked for a review of the resolution
 * @csspart tracker - the whole tracker
 * @csspart status - the current status
 * @csspart stepper - the status steps
 * @csspart step - one step
 * @csspart expected - the expected resolution date
 * @csspart timeline - the public timeline
 * @csspart event - one timeline entry
 * @csspart event-body - a timeline entry's text
 * @csspart banner - notices (e.g. reconnecting)
 * @csspart error - error text
 * @csspart button - buttons
 * @csspart content - the feedback's content
 * @csspart survey - the embedded satisfaction survey
 * @csspart rating - the rating once given
 * @cssprop [--cl-surface] - card background
 * @cssprop [--cl-track] - the stepper's line
 * @cssprop [--cl-badge] - status badge text
 * @cssprop [--cl-badge-bg] - status badge background
 * @cssprop [--cl-primary] - accent colour (buttons, current step, focus)
 * @cssprop [--cl-on-primary] - text on the accent colour
 * @cssprop [--cl-bg] - background
 * @cssprop [--cl-text] - text colour
 * @cssprop [--cl-muted] - secondary text
 * @cssprop [--cl-border] - borders
 * @cssprop [--cl-radius] - corner radius
 * @cssprop [--cl-focus] - focus ring
 * @cssprop [--cl-danger] - errors
 * @cssprop [--cl-warn] - warnings text (e.g. reconnecting)
 * @cssprop [--cl-warn-bg] - warnings background
 * @cssprop [--cl-font-family] - font family
 * @cssprop [--cl-font-size] - base font size
 */
export class FeedbackTracker extends ClElement {
  static override styles = styles;
  static override properties = {
    trackingCode: { attribute: 'tracking-code' },
    feedbackAccessKey: { attribute: 'access-key' },
    noSurvey: { attribute: 'no-survey', type: Boolean },
    feedback: { state: true },
    events: { state: true },
    connection: { state: true },
    problem: { state: true },
    announcement: { state: true },
  };

  declare trackingCode?: string;
  /** The access key (attribute access-key); named so as not to shadow HTMLElement.accessKey. */
  declare feedbackAccessKey?: string;
  declare noSurvey: boolean;
  declare feedback?: Feedback;
  declare events: Feedback['timeline'];
  declare connection: string;
  declare problem: '' | 'not-found' | 'failed';
  declare announcement: string;
  private stop?: () => void;
  private loaded?: string;
  /** Once shown, the survey stays (with its thank-you) after the rating closes the ticket. */
  private surveying = false;

  constructor() {
    super();
    this.noSurvey = false;
    this.events = [];
    this.connection = '';
    this.problem = '';
    this.announcement = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    if (this.loaded) void this.load();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.stop?.();
    this.stop = undefined;
  }

  override updated(changed: Map<string, unknown>) {
    if ((changed.has('trackingCode') || changed.has('feedbackAccessKey')) && this.trackingCode && this.loaded !== `${this.trackingCode} ${this.feedbackAccessKey}`) void this.load();
  }

  /** Reloads the feedback, then follows it live from its last event. */
  async load() {
    this.stop?.();
    this.stop = undefined;
    const code = this.trackingCode;
    if (!code) return;
    this.loaded = `${code} ${this.feedbackAccessKey}`;
    this.problem = '';
    this.surveying = false;
    try {
      const f = await this.sdk.trackFeedback(code, this.feedbackAccessKey || null);
      if (code !== this.trackingCode) return;
      if (!f) {
        this.feedback = undefined;
        this.problem = 'not-found';
        return;
      }
      this.feedback = f;
      this.events = f.timeline;
      if (f.canReply || f.reviewableUntil || OPEN.includes(f.status)) void loadConversation().catch(() => undefined);
      if (f.status !== 'CLOSED' && this.isConnected) this.follow(code, f.timeline.at(-1)?.cursor ?? null);
    } catch {
      this.problem = 'failed';
    }
  }

  private follow(trackingCode: string, after: string | null) {
    this.stop = this.sdk.watchProgress(
      { trackingCode, accessKey: this.feedbackAccessKey || null, after },
      {
        next: (e) => this.apply(e),
        status: (s) => {
          this.connection = s;
          this.emit('cl-connection', { status: s });
        },
        error: () => (this.connection = 'closed'),
      },
    );
  }

  private apply(e: ProgressEvent) {
    const f = this.feedback;
    if (!f) return;
    this.events = mergeEvent(this.events, e);
    if (e.toStatus && e.toStatus !== f.status) {
      const previous = f.status;
      this.feedback = { ...f, status: e.toStatus };
      this.announcement = msg(str`处理状态已更新：${statusLabel(e.toStatus)}`, { id: 'tr.announce' });
      this.emit('cl-status-changed', { trackingCode: f.trackingCode, status: e.toStatus, previous });
      // Resolution and reopening change what the customer may do (reply, review): ask the API again.
      if (['RESOLVED', 'CLOSED'].includes(e.toStatus) || ['RESOLVED', 'CLOSED'].includes(previous)) void this.refreshFlags();
    }
    if (e.type === 'PUBLIC_REPLY') {
      this.announcement = msg('您收到一条新回复', { id: 'tr.reply' });
    }
  }

  private async refreshFlags() {
    const code = this.trackingCode;
    const f = code ? await this.sdk.trackFeedback(code, this.feedbackAccessKey || null).catch(() => null) : null;
    if (!f || !this.feedback || code !== this.trackingCode) return;
    this.feedback = { ...this.feedback, canReply: f.canReply, reviewableUntil: f.reviewableUntil, outcome: f.outcome };
    if (f.canReply || f.reviewableUntil) void loadConversation().catch(() => undefined);
  }

  private onSent(e: CustomEvent<MessageSentDetail>) {
    // The live stream brings the same event; mergeEvent keeps one. The status may have moved (reopened).
    if (e.detail.trackingCode === this.trackingCode) {
      this.events = mergeEvent(this.events, e.detail.event as Feedback['timeline'][number]);
    } else {
      // A new linked feedback was opened (resolved feedback already reopened once): follow it instead.
      this.trackingCode = e.detail.trackingCode;
      if (e.detail.accessKey) this.feedbackAccessKey = e.detail.accessKey;
    }
  }

  private onAction(_e: CustomEvent<CaseActionDetail>) {
    void this.load();
  }

  /** Relative attachment paths are on the API's origin. */
  private href(path: string): string {
    try {
      return new URL(path, this.sdk.url).href;
    } catch {
      return path;
    }
  }

  private attachments(e: Feedback['timeline'][number]) {
    if (!e.attachments?.length) return nothing;
    return html`<ul class="files" part="attachments">${e.attachments.map((a) => html`<li part="attachment">
      <a href=${this.href(a.url)} target="_blank" rel="noopener" download=${a.filename}>${a.thumbnailUrl ?? a.inlineUrl
        ? html`<img src=${this.href((a.thumbnailUrl ?? a.inlineUrl)!)} alt=${a.filename} loading="lazy" part="thumbnail" />`
        : html`${a.filename} (${Math.max(1, Math.round(a.size / 1024))} KB)`}</a>
    </li>`)}</ul>`;
  }

  private onRated(e: CustomEvent<RatedDetail>) {
    if (this.feedback) this.feedback = { ...this.feedback, rating: { rating: e.detail.rating, comment: e.detail.comment, createdAt: new Date().toISOString() } };
  }

  override render() {
    if (this.problem === 'not-found') return html`<p role="alert" part="error">${msg('没有找到这条反馈，请核对跟踪编号和查询密钥。', { id: 'tr.notfound' })}</p>`;
    if (this.problem === 'failed') {
      return html`<div role="alert" class="banner" part="banner">${msg('暂时无法加载，请稍后重试。', { id: 'tr.failed' })}</div>
        <button part="button" @click=${() => this.load()}>${msg('重试', { id: 'tr.retry' })}</button>`;
    }
    if (!this.trackingCode) return html`<p part="empty">${msg('请提供跟踪编号以查看处理进度。', { id: 'tr.nocode' })}</p>`;
    const f = this.feedback;
    if (!f) return html`<p class="muted" role="status">${msg('加载中…', { id: 'tr.loading' })}</p>`;
    const current = stepIndex(f.status);
    const question = f.status === 'AWAITING_CUSTOMER' ? staffQuestion(this.events) : undefined;
    const key = this.feedbackAccessKey ?? '';
    return html`<section part="tracker" aria-labelledby="title">
      <div class="head">
        <h2 id="title">${msg(str`反馈 ${f.trackingCode}`, { id: 'tr.title' })}</h2>
        <span class="badge" part="status">${statusLabel(f.status)}</span>
      </div>
      ${this.connection === 'reconnecting'
        ? html`<div class="banner" part="banner reconnecting" role="status">${msg('连接中断，正在重新连接…', { id: 'tr.reconnecting' })}</div>`
        : nothing}
      <ol class="steps" part="stepper" aria-label=${msg('处理进度', { id: 'tr.progress' })}>
        ${STEPS.map((s, i) => html`<li part="step" class=${i < current ? 'done' : ''} aria-current=${i === current ? 'step' : nothing}>
          ${i === current && f.status === 'AWAITING_CUSTOMER' ? statusLabel(f.status) : statusLabel(s)}</li>`)}
      </ol>
      ${f.expectedResolutionAt && current < 3
        ? html`<p part="expected">${msg(str`预计 ${this.when(f.expectedResolutionAt)} 前处理完毕`, { id: 'tr.expected' })}</p>`
        : nothing}
      <p class="muted">${kindLabel(f.kind)} · ${this.when(f.receivedAt)}</p>
      <p class="content text" part="content">${f.content}</p>
      ${f.status === 'AWAITING_CUSTOMER'
        ? html`<div class="question" part="question" role="region" aria-labelledby="q-title">
            <h3 id="q-title">${msg('客服需要您补充信息', { id: 'tr.question' })}</h3>
            ${question?.body ? html`<p class="text">${question.body}</p>` : nothing}
          </div>`
        : nothing}
      ${f.canReply
        ? html`<cl-message-box part="message-box" tracking-code=${f.trackingCode} access-key=${key} .client=${this.sdk}
            label=${f.status === 'AWAITING_CUSTOMER' ? msg('回复客服', { id: 'tr.answer' }) : ''} @cl-message-sent=${this.onSent}></cl-message-box>`
        : nothing}
      ${(this.surveying ||= f.status === 'RESOLVED' && !f.rating && !this.noSurvey)
        ? html`<cl-satisfaction-survey part="survey" tracking-code=${f.trackingCode} access-key=${this.feedbackAccessKey ?? ''} .client=${this.sdk} @cl-rated=${this.onRated}></cl-satisfaction-survey>`
        : nothing}
      ${f.rating && !this.surveying ? html`<p part="rating">${msg(str`您的评价：${f.rating.rating} / 5`, { id: 'tr.rating' })}</p>` : nothing}
      ${OPEN.includes(f.status) || f.reviewableUntil
        ? html`<cl-case-actions part="case-actions" tracking-code=${f.trackingCode} access-key=${key} .client=${this.sdk}
            ?can-withdraw=${OPEN.includes(f.status)} reviewable-until=${f.reviewableUntil ?? nothing}
            @cl-withdrawn=${this.onAction} @cl-review-requested=${this.onAction}></cl-case-actions>`
        : nothing}
      <h3>${msg('处理记录', { id: 'tr.timeline' })}</h3>
      <ol class="timeline" part="timeline">
        ${this.events.map((e) => html`<li part="event">
          <strong>${eventTitle(e)}</strong>
          ${e.body ? html`<p class="text" part="event-body">${e.body}</p>` : nothing}
          ${this.attachments(e)}
          <p class="muted">${e.actorName && e.actorType === 'STAFF' ? html`${e.actorName} · ` : nothing}${this.when(e.createdAt)}</p>
        </li>`)}
      </ol>
      <p class="sr" role="status" aria-live="polite">${this.announcement}</p>
    </section>`;
  }
}

customElements.get('cl-feedback-tracker') ?? customElements.define('cl-feedback-tracker', FeedbackTracker);

declare global {
  interface HTMLElementTagNameMap {
    'cl-feedback-tracker': FeedbackTracker;
  }
}
