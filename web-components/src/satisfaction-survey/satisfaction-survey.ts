import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { codePointLength } from '@closeloop/domain/validation';
import { ClElement } from '../shared/base.ts';
import type { RatedDetail } from '../events.ts';
import { styles } from './satisfaction-survey.styles.ts';

export const COMMENT_MAX = 1000;

export function ratingLabel(n: number): string {
  switch (n) {
    case 1: return msg('非常不满意', { id: 'rate.1' });
    case 2: return msg('不满意', { id: 'rate.2' });
    case 3: return msg('一般', { id: 'rate.3' });
    case 4: return msg('满意', { id: 'rate.4' });
    default: return msg('非常满意', { id: 'rate.5' });
  }
}

/**
 * <cl-satisfaction-survey tracking-code access-key>: after resolution the customer rates 1–5 with a
 * comment; rating closes the ticket.
 *
 * @tag cl-satisfaction-survey
 * @summary Rate the resolution of one feedback.
 * @attr {string} tracking-code - the feedback's tracking code
 * @attr {string} access-key - the access key anonymous submitters received; the signed-in owner needs none
 * @attr {string} lang - the element's language (zh-CN, zh-TW or en); default the page's
 * @fires {CustomEvent<RatedDetail>} cl-rated - the customer rated (the ticket is then closed)
 * @csspart form - the survey
 * @csspart star - one rating choice
 * @csspart textarea - the comment
 * @csspart button - buttons
 * @csspart error - error text
 * @csspart thanks - the thank-you after rating
 * @cssprop [--cl-star] - a chosen star
 * @cssprop [--cl-star-bg] - an unchosen star
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
export class SatisfactionSurvey extends ClElement {
  static override styles = styles;
  static override properties = {
    trackingCode: { attribute: 'tracking-code' },
    feedbackAccessKey: { attribute: 'access-key' },
    rating: { state: true },
    comment: { state: true },
    phase: { state: true },
    problem: { state: true },
  };

  declare trackingCode?: string;
  /** The access key (attribute access-key); named so as not to shadow HTMLElement.accessKey. */
  declare feedbackAccessKey?: string;
  declare rating: number;
  declare comment: string;
  declare phase: 'edit' | 'sending' | 'done';
  declare problem: string;

  constructor() {
    super();
    this.rating = 0;
    this.comment = '';
    this.phase = 'edit';
    this.problem = '';
  }

  override render() {
    if (this.phase === 'done') {
      return html`<p part="thanks" role="status" tabindex="-1" id="thanks">${msg('感谢您的评价！', { id: 'rate.thanks' })}</p>`;
    }
    return html`<form part="form" novalidate @submit=${this.submit}>
      <fieldset>
        <legend id="q">${msg('您对本次处理结果满意吗？', { id: 'rate.question' })}</legend>
        <div class="chips stars" @change=${this.pick}>
          ${[1, 2, 3, 4, 5].map((n) => html`<label><input type="radio" name="rating" value=${n} .checked=${this.rating === n}
              aria-label=${msg(str`${n} 星，${ratingLabel(n)}`, { id: 'rate.star' })} /><span part="star" class=${n <= this.rating ? 'on' : ''} aria-hidden="true">★</span></label>`)}
        </div>
        ${this.rating ? html`<p class="muted" part="rating-label">${ratingLabel(this.rating)}</p>` : nothing}
      </fieldset>
      <div class="field">
        <label for="comment">${msg('意见或建议（可选）', { id: 'rate.comment' })}</label>
        <textarea id="comment" part="textarea" .value=${this.comment} aria-describedby="comment-count"
          @input=${(e: Event) => (this.comment = (e.target as HTMLTextAreaElement).value)}></textarea>
        <p id="comment-count" class=${codePointLength(this.comment) > COMMENT_MAX ? 'error counter' : 'muted counter'}>${msg(str`${codePointLength(this.comment)} / ${COMMENT_MAX} 字`, { id: 'form.count' })}</p>
      </div>
      <p role="alert" class="error" part="error">${this.problem}</p>
      <button type="submit" part="button" ?disabled=${this.phase === 'sending'}>${msg('提交评价', { id: 'rate.submit' })}</button>
    </form>`;
  }

  /** Picking a rating answers "please choose a rating": the error goes with it. */
  private pick(e: Event) {
    this.rating = Number((e.target as HTMLInputElement).value);
    this.problem = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (codePointLength(this.comment) > COMMENT_MAX) {
      this.problem = msg('内容过长', { id: 'err.long' });
      return;
    }
    if (!this.rating) {
      this.problem = msg('请选择评分', { id: 'rate.pick' });
      this.renderRoot.querySelector<HTMLInputElement>('input[name=rating]')?.focus();
      return;
    }
    this.phase = 'sending';
    this.problem = '';
    try {
      const r = await this.sdk.rateFeedback({ trackingCode: this.trackingCode ?? '', accessKey: this.feedbackAccessKey || null, rating: this.rating, comment: this.comment || null });
      // A second rating (e.g. from another tab) is a ConflictError: the survey is done either way.
      if (r.__typename === 'RateFeedbackPayload' || (r.__typename === 'ConflictError' && /already/.test(r.message))) {
        this.phase = 'done';
        const detail: RatedDetail = { trackingCode: this.trackingCode ?? '', rating: this.rating, comment: this.comment || null };
        if (r.__typename === 'RateFeedbackPayload') this.emit('cl-rated', detail);
        await this.focusRendered('#thanks');
        return;
      }
      this.phase = 'edit';
      this.problem = r.message;
    } catch {
      this.phase = 'edit';
      this.problem = msg('提交失败，请稍后再试。', { id: 'form.failed' });
    }
  }
}

customElements.get('cl-satisfaction-survey') ?? customElements.define('cl-satisfaction-survey', SatisfactionSurvey);

declare global {
  interface HTMLElementTagNameMap {
    'cl-satisfaction-survey': SatisfactionSurvey;
  }
}
