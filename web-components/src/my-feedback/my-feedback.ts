import { html } from 'lit';
import { msg, str } from '@lit/localize';
import type { ResultOf, operations } from '@closeloop/sdk';
import { ClElement } from '../shared/base.ts';
import { kindLabel, statusLabel } from '../shared/labels.ts';
import { styles } from './my-feedback.styles.ts';

type Item = NonNullable<ResultOf<typeof operations.MyFeedback>['feedbacks']['edges'][number]['node']>;

/** Live streams per list: over SSE each is one HTTP connection, and browsers allow six per host. */
export const LIVE_LIMIT = 4;

/** The items worth following live: open ones, newest first, at most `limit`. */
export function liveItems<T extends { status: string }>(items: readonly T[], limit = LIVE_LIMIT): T[] {
  return items.filter((i) => i.status !== 'CLOSED').slice(0, limit);
}

/**
 * <cl-my-feedback>: the signed-in customer's feedback with live statuses (needs a client with
 * `getToken`, see configure()).
 *
 * @tag cl-my-feedback
 * @summary The signed-in customer's feedback list.
 * @attr {number} first - how many to list (default 20)
 * @attr {string} lang - the element's language (zh-CN, zh-TW or en); default the page's
 * @fires {CustomEvent<SelectDetail>} cl-select - the customer chose one feedback
 * @fires {CustomEvent<StatusChangedDetail>} cl-status-changed - a listed feedback's status changed (live)
 * @csspart list - the list
 * @csspart item - one feedback
 * @csspart item-button - the button that selects it
 * @csspart status - its status badge
 * @csspart empty - the text shown when there is none
 * @csspart error - error text
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
export class MyFeedback extends ClElement {
  static override styles = styles;
  static override properties = {
    first: { type: Number },
    items: { state: true },
    problem: { state: true },
    announcement: { state: true },
  };

  declare first: number;
  declare items?: Item[];
  declare problem: '' | 'signed-out' | 'failed';
  declare announcement: string;
  private stops: Array<() => void> = [];
  private generation = 0;

  constructor() {
    super();
    this.first = 20;
    this.problem = '';
    this.announcement = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    // A form on the same page (or in the same portal) just submitted: the list shows it at once.
    addEventListener('cl-submitted', this.onSubmitted);
    void this.refresh();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    removeEventListener('cl-submitted', this.onSubmitted);
    this.unfollow();
  }

  private onSubmitted = () => void this.refresh();

  protected override configured() {
    void this.refresh();
  }

  private unfollow() {
    for (const s of this.stops) s();
    this.stops = [];
  }

  async refresh() {
    this.unfollow();
    if (!this.sdk.signedIn) {
      this.problem = 'signed-out';
      return;
    }
    // Only the latest of overlapping refreshes follows its items (a submit may arrive during a load).
    const generation = ++this.generation;
    let items: Item[];
    try {
      items = await this.sdk.myFeedback(this.first);
    } catch {
      if (generation === this.generation) this.problem = 'failed';
      return;
    }
    if (generation !== this.generation || !this.isConnected) return;
    this.items = items;
    this.problem = '';
    for (const item of liveItems(this.items)) {
      this.stops.push(
        this.sdk.watchProgress(
          { trackingCode: item.trackingCode, after: item.timeline.at(-1)?.cursor ?? null },
          { next: (e) => e.toStatus && this.setStatus(item.trackingCode, e.toStatus) },
        ),
      );
    }
  }

  private setStatus(trackingCode: string, status: string) {
    const old = this.items?.find((i) => i.trackingCode === trackingCode);
    if (!old || old.status === status) return;
    this.items = this.items!.map((i) => (i === old ? { ...i, status: status as Item['status'] } : i));
    this.announcement = msg(str`${trackingCode} 状态更新为${statusLabel(status)}`, { id: 'my.announce' });
    this.emit('cl-status-changed', { trackingCode, status, previous: old.status });
  }

  override render() {
    if (this.problem === 'signed-out') return html`<p part="empty">${msg('登录后可查看您提交过的反馈。', { id: 'my.signin' })}</p>`;
    if (this.problem === 'failed') return html`<p role="alert" part="error">${msg('暂时无法加载，请稍后重试。', { id: 'tr.failed' })}</p>`;
    if (!this.items) return html`<p class="muted" role="status">${msg('加载中…', { id: 'tr.loading' })}</p>`;
    if (!this.items.length) return html`<p part="empty">${msg('您还没有提交过反馈。', { id: 'my.empty' })}</p>`;
    return html`<ul part="list" aria-label=${msg('我的反馈', { id: 'my.title' })}>
        ${this.items.map((i) => html`<li part="item">
          <button type="button" part="item-button" @click=${() => this.emit('cl-select', { trackingCode: i.trackingCode })}>
            <span class="top"><strong>${kindLabel(i.kind)} · ${i.trackingCode}</strong><span class="badge" part="status">${statusLabel(i.status)}</span></span>
            <span class="excerpt text">${i.content}</span>
            <span class="muted">${this.when(i.receivedAt)}</span>
          </button>
        </li>`)}
      </ul>
      <p class="sr" role="status" aria-live="polite">${this.announcement}</p>`;
  }
}

customElements.get('cl-my-feedback') ?? customElements.define('cl-my-feedback', MyFeedback);

declare global {
  interface HTMLElementTagNameMap {
    'cl-my-feedback': MyFeedback;
  }
}
