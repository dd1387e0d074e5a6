import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { codePointLength, LIMITS, validateFeedbackDraft } from '@closeloop/domain/validation';
import { ClElement } from '../shared/base.ts';
import { CloseloopError, loadSdk } from '../shared/client.ts';
import { KINDS, kindLabel } from '../shared/labels.ts';
import type { SubmittedDetail } from '../events.ts';
import { styles } from './feedback-form.styles.ts';

/** The API's limit, counted the API's way (code points: an emoji or a Chinese character is one). */
export const CONTENT_MAX = LIMITS.contentMax;
const DEFAULT_CATEGORIES = ['account', 'card', 'loan', 'app', 'branch', 'other'];

/** The form field an API field path points at: ["input","contact","email"] → "email". */
export function fieldOf(path: readonly string[]): string {
  const rest = path[0] === 'input' ? path.slice(1) : path;
  return rest[0] === 'contact' ? (rest[1] ?? 'contact') : (rest[0] ?? 'form');
}

/** A message for a field error in the page's language; the API's English text is the fallback. */
export function errorText(field: string, code: string, fallback: string): string {
  if (code === 'REQUIRED' || (field === 'content' && code === 'TOO_SHORT')) {
    return field === 'consent' ? msg('请先勾选同意', { id: 'err.consent' }) : field === 'content' ? msg('请至少填写 5 个字', { id: 'err.short' }) : msg('必填', { id: 'err.required' });
  }
  if (code === 'TOO_LONG') return field === 'content' ? msg(str`请精简到 ${CONTENT_MAX} 字以内`, { id: 'err.contentlong' }) : msg('内容过长', { id: 'err.long' });
  if (code === 'INVALID_EMAIL') return msg('邮箱格式不正确', { id: 'err.email' });
  if (code === 'INVALID_PHONE') return msg('手机号格式不正确', { id: 'err.phone' });
  return fallback;
}

export function categoryLabel(c: string): string {
  const labels: Record<string, string> = {
    account: msg('账户', { id: 'cat.account' }), card: msg('银行卡', { id: 'cat.card' }), loan: msg('贷款', { id: 'cat.loan' }),
    app: msg('手机银行', { id: 'cat.app' }), branch: msg('网点服务', { id: 'cat.branch' }), other: msg('其他', { id: 'cat.other' }),
  };
  return labels[c] ?? c;
}

interface Draft { kind: string; category: string; content: string; name: string; phone: string; email: string; consent: boolean }

/**
 * <cl-feedback-form>: kind, category, content with a counter, contact fields for anonymous
 * submitters and consent. Shows the API's field errors beside the fields; on success shows the
 * tracking code and access key.
 *
 * @tag cl-feedback-form
 * @summary The feedback form: submit a complaint, suggestion, praise or inquiry.
 * @attr {string} categories - comma-separated category codes offered in the select (default: the bank's standard list)
 * @attr {string} privacy-url - link shown in the consent line
 * @attr {string} lang - the element's language (zh-CN, zh-TW or en); default the page's
 * @fires {CustomEvent<SubmittedDetail>} cl-submitted - the feedback was accepted: tracking code and (anonymous) access key
 * @fires {CustomEvent<SelectDetail>} cl-track - the customer chose to follow the feedback just submitted
 * @fires {CustomEvent<ErrorDetail>} cl-error - submission failed for a reason other than a field error
 * @csspart form - the form
 * @csspart field - each field's wrapper
 * @csspart chip - a kind choice
 * @csspart input - text inputs and the category select
 * @csspart textarea - the content
 * @csspart contact - the contact fieldset (anonymous submitters)
 * @csspart consent - the consent line
 * @csspart error - a field's error text
 * @csspart banner - the form-level notice
 * @csspart button - buttons
 * @csspart success - the confirmation after submitting
 * @csspart tracking-code - the tracking code on the confirmation
 * @csspart access-key - the access key on the confirmation
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
export class FeedbackForm extends ClElement {
  static override styles = styles;
  static override properties = {
    categories: {},
    privacyUrl: { attribute: 'privacy-url' },
    draft: { state: true },
    errors: { state: true },
    phase: { state: true },
    notice: { state: true },
    result: { state: true },
    copied: { state: true },
  };

  declare categories?: string;
  declare privacyUrl?: string;
  declare draft: Draft;
  declare errors: Record<string, string>;
  declare phase: 'edit' | 'sending' | 'done';
  declare notice: string;
  declare result?: SubmittedDetail;
  declare copied: boolean;
  /** Reused while the same draft is re-sent, so a retry after a failure never creates a second feedback. */
  private key?: { for: string; value: string };

  constructor() {
    super();
    this.draft = { kind: 'COMPLAINT', category: '', content: '', name: '', phone: '', email: '', consent: false };
    this.errors = {};
    this.phase = 'edit';
    this.notice = '';
    this.copied = false;
  }

  override render() {
    return this.phase === 'done' && this.result ? this.renderDone(this.result) : this.renderForm();
  }

  private renderForm() {
    const d = this.draft;
    const cats = this.categories ? this.categories.split(',').map((c) => c.trim()).filter(Boolean) : DEFAULT_CATEGORIES;
    const anonymous = !this.sdk.signedIn;
    const length = codePointLength(d.content);
    return html`<form part="form" novalidate @submit=${this.onSubmit} @input=${this.onInput} @change=${this.onInput}>
      <div role="alert" class=${this.notice ? 'banner' : 'sr'} part="banner">${this.notice}</div>
      <fieldset class="field" part="field">
        <legend>${msg('反馈类型', { id: 'form.kind' })}</legend>
        <div class="chips">
          ${KINDS.map((k) => html`<label><input type="radio" name="kind" value=${k} .checked=${d.kind === k} /><span part="chip">${kindLabel(k)}</span></label>`)}
        </div>
      </fieldset>
      <div class="field" part="field">
        <label for="category">${msg('业务类别', { id: 'form.category' })}</label>
        <select id="category" name="category" part="input" .value=${d.category}>
          <option value="">${msg('请选择（可选）', { id: 'form.choose' })}</option>
          ${cats.map((c) => html`<option value=${c} ?selected=${d.category === c}>${categoryLabel(c)}</option>`)}
        </select>
      </div>
      <div class="field" part="field">
        <label for="content">${msg('反馈内容', { id: 'form.content' })}</label>
        <textarea id="content" name="content" part="textarea" required
          aria-invalid=${this.errors.content ? 'true' : 'false'} aria-describedby="content-count content-error"
          .value=${d.content}></textarea>
        <p id="content-error" class="error" part="error">${this.errors.content ?? ''}</p>
        <p id="content-count" class=${length > CONTENT_MAX ? 'error counter' : 'muted counter'} part="counter">${msg(str`${length} / ${CONTENT_MAX} 字`, { id: 'form.count' })}</p>
      </div>
      ${anonymous ? this.renderContact() : nothing}
      <div class="field" part="field">
        <label class="consent" part="consent">
          <input id="consent" type="checkbox" name="consent" .checked=${d.consent} aria-invalid=${this.errors.consent ? 'true' : 'false'} aria-describedby="consent-error" />
          <span>${msg('我同意按照隐私政策处理我提交的信息', { id: 'form.consent' })}</span>
        </label>
        ${this.privacyUrl ? html`<a href=${this.privacyUrl} target="_blank" rel="noopener">${msg('隐私政策', { id: 'form.privacy' })}</a>` : nothing}
        <p id="consent-error" class="error" part="error">${this.errors.consent ?? ''}</p>
      </div>
      <button type="submit" part="button" ?disabled=${this.phase === 'sending'}>
        ${this.phase === 'sending' ? msg('正在提交…', { id: 'form.sending' }) : msg('提交反馈', { id: 'form.submit' })}
      </button>
    </form>`;
  }

  private renderContact() {
    const field = (name: 'name' | 'phone' | 'email', label: string, type: string, auto: string) => html`<div class="field" part="field">
      <label for=${name}>${label}</label>
      <input id=${name} name=${name} type=${type} autocomplete=${auto} part="input" .value=${this.draft[name]}
        aria-invalid=${this.errors[name] ? 'true' : 'false'} aria-describedby=${`${name}-error`} />
      <p id=${`${name}-error`} class="error" part="error">${this.errors[name] ?? ''}</p>
    </div>`;
    return html`<fieldset part="contact">
      <legend>${msg('联系方式（可选，便于我们回复您）', { id: 'form.contact' })}</legend>
      <div class="contact">
        ${field('name', msg('称呼', { id: 'form.name' }), 'text', 'name')}
        ${field('phone', msg('手机号', { id: 'form.phone' }), 'tel', 'tel')}
        ${field('email', msg('邮箱', { id: 'form.email' }), 'email', 'email')}
      </div>
    </fieldset>`;
  }

  private renderDone(r: SubmittedDetail) {
    return html`<section part="success" aria-labelledby="done">
      <h2 id="done" tabindex="-1">${msg('提交成功，感谢您的反馈', { id: 'done.title' })}</h2>
      <dl>
        <dt>${msg('跟踪编号', { id: 'done.code' })}</dt><dd class="code" part="tracking-code">${r.trackingCode}</dd>
        ${r.accessKey ? html`<dt>${msg('查询密钥', { id: 'done.key' })}</dt><dd class="code" part="access-key">${r.accessKey}</dd>` : nothing}
      </dl>
      ${r.accessKey ? html`<p class="muted">${msg('请保存跟踪编号和查询密钥，凭它们查询处理进度。', { id: 'done.keep' })}</p>` : nothing}
      <div class="row">
        <button type="button" part="button" @click=${this.copy}>${this.copied ? msg('已复制', { id: 'done.copied' }) : msg('复制', { id: 'done.copy' })}</button>
        <button type="button" part="button" class="secondary" @click=${() => this.emit('cl-track', { trackingCode: r.trackingCode, accessKey: r.accessKey })}>${msg('查看进度', { id: 'done.track' })}</button>
        <button type="button" part="button" class="secondary" @click=${this.reset}>${msg('再提一条', { id: 'done.again' })}</button>
      </div>
      <p role="status" class="sr">${this.copied ? msg('已复制', { id: 'done.copied' }) : ''}</p>
    </section>`;
  }

  private onInput(e: Event) {
    const t = e.target as HTMLInputElement;
    if (!t.name) return;
    const value = t.type === 'checkbox' ? t.checked : t.value;
    this.draft = { ...this.draft, [t.name]: value };
    if (this.errors[t.name]) this.errors = { ...this.errors, [t.name]: '' };
  }

  private async onSubmit(e: Event) {
    e.preventDefault();
    if (this.phase === 'sending') return;
    const d = this.draft;
    this.notice = '';
    const input = {
      kind: d.kind as 'COMPLAINT',
      content: d.content,
      category: d.category || null,
      contact: this.sdk.signedIn || !(d.name || d.phone || d.email) ? null : { name: d.name || null, phone: d.phone || null, email: d.email || null },
    };
    // Every problem at once, by the API's own rules (nothing is cut short: too long text stays and says so).
    const errors: Record<string, string> = {};
    for (const fe of validateFeedbackDraft(input)) errors[fieldOf(fe.path)] ??= errorText(fieldOf(fe.path), fe.code, fe.message);
    if (!d.consent) errors.consent = errorText('consent', 'REQUIRED', '');
    if (Object.keys(errors).length) return this.showErrors(errors);
    const fingerprint = JSON.stringify(input);
    this.phase = 'sending';
    try {
      // The SDK's code is usually there by now (fetched once the page was idle); if not, it is now.
      if (this.key?.for !== fingerprint) this.key = { for: fingerprint, value: (await loadSdk()).idempotencyKey() };
      const r = await this.sdk.submitFeedback({ ...input, idempotencyKey: this.key.value }, {
        onRetry: () => (this.notice = msg('网络不稳定，正在重试…', { id: 'form.retrying' })),
      });
      this.notice = '';
      if (r.__typename === 'SubmitFeedbackPayload') {
        this.key = undefined;
        this.result = { trackingCode: r.trackingCode, accessKey: r.accessKey ?? null, feedbackId: r.feedback.id, replayed: r.replayed };
        this.phase = 'done';
        this.emit('cl-submitted', this.result);
        await this.focusRendered('#done');
        return;
      }
      this.phase = 'edit';
      if (r.__typename === 'ValidationError') {
        const errors: Record<string, string> = {};
        for (const fe of r.fieldErrors) {
          const field = fieldOf(fe.path);
          errors[field] ??= errorText(field, fe.code, fe.message);
        }
        return this.showErrors(errors);
      }
      this.fail(r.code, r.message);
    } catch (err) {
      this.phase = 'edit';
      const c = err instanceof CloseloopError ? err : new CloseloopError(String(err), 'ERROR');
      this.fail(c.code, c.message);
    }
  }

  private fail(code: string, message: string) {
    this.notice = code === 'NETWORK_ERROR' ? msg('网络连接失败，请稍后再试；再次提交不会重复。', { id: 'form.offline' }) : msg('提交失败，请稍后再试。', { id: 'form.failed' });
    this.emit('cl-error', { code, message });
  }

  /** Shows errors beside their fields and moves focus to the first one, as screen-reader users expect. */
  private async showErrors(errors: Record<string, string>) {
    this.errors = errors;
    const known = ['content', 'name', 'phone', 'email', 'consent', 'category'].filter((f) => errors[f]);
    const other = Object.keys(errors).filter((f) => !known.includes(f));
    if (other.length) this.notice = other.map((f) => errors[f]).join(' ');
    await this.focusRendered(known.length ? `#${known[0]}` : '[role=alert]');
  }

  private async copy() {
    const r = this.result!;
    const text = `${msg('跟踪编号', { id: 'done.code' })}: ${r.trackingCode}${r.accessKey ? `\n${msg('查询密钥', { id: 'done.key' })}: ${r.accessKey}` : ''}`;
    try {
      await navigator.clipboard.writeText(text);
      this.copied = true;
    } catch {
      this.copied = false;
    }
  }

  private reset() {
    this.draft = { ...this.draft, content: '', category: '' };
    this.result = undefined;
    this.copied = false;
    this.phase = 'edit';
  }
}

customElements.get('cl-feedback-form') ?? customElements.define('cl-feedback-form', FeedbackForm);

declare global {
  interface HTMLElementTagNameMap {
    'cl-feedback-form': FeedbackForm;
  }
}
