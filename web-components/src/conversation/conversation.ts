// <cl-message-box> and <cl-case-actions>: the customer's half of the conversation, inside the tracker.
// A file of its own in /sdk/closeloop.js, fetched only when a tracker shows feedback the customer can
// still act on. It imports nothing at run time: Lit, the localisation and the shared element base come
// from the entry through define() (see shared/load-conversation.ts), so the page keeps one Lit.
import type { CSSResult, css as Css, html as Html, nothing as Nothing } from 'lit';
import type { msg as Msg, str as Str } from '@lit/localize';
import type { ClElement as Base } from '../shared/base.ts';
import type { ProgressEvent } from '@closeloop/sdk';

export interface ConversationDeps {
  ClElement: typeof Base;
  html: typeof Html;
  css: typeof Css;
  nothing: typeof Nothing;
  msg: typeof Msg;
  str: typeof Str;
  base: CSSResult;
  codePointLength: (s: string) => number;
  messageMax: number;
  reasonMax: number;
}

/** Defaults of the API's limits (CLOSELOOP_ATTACHMENT_MAX_BYTES, CLOSELOOP_ATTACHMENTS_PER_MESSAGE); the API has the last word. */
export const MAX_FILES = 5;
export const MAX_BYTES = 10 * 1024 * 1024;
export const ACCEPT = 'image/jpeg,image/png,image/webp,image/heic,.heic,application/pdf';

interface Pending { file?: File; name: string; id?: string; progress: number; error?: string }
/** What survives a reload or a lost connection: the text, the uploaded files' ids and the message's key. */
interface Outbox { key: string; body: string; uploads: Array<{ id: string; name: string }> }

const storeKey = (code: string) => `closeloop:outbox:${code}`;
function readOutbox(code: string): Outbox | null {
  try {
    return JSON.parse(localStorage.getItem(storeKey(code)) ?? 'null') as Outbox | null;
  } catch {
    return null;
  }
}
function writeOutbox(code: string, o: Outbox | null): void {
  try {
    if (o) localStorage.setItem(storeKey(code), JSON.stringify(o));
    else localStorage.removeItem(storeKey(code));
  } catch {
    /* storage may be off (private mode): the message is then kept for this page only */
  }
}
function newKey(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'msg_' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

let defined = false;

export function define(d: ConversationDeps): void {
  if (defined) return;
  defined = true;
  const { ClElement, html, css, nothing, msg, str } = d;

  const styles = [
    d.base,
    css`
      :host { margin: 1em 0; }
      .files { list-style: none; margin: 0.5em 0; padding: 0; }
      .files li { display: flex; gap: 0.5em; align-items: center; justify-content: space-between; min-height: 44px; overflow-wrap: anywhere; }
      progress { width: 6em; }
      .counter { text-align: end; }
      .attach { position: relative; display: inline-flex; align-items: center; margin: 0; font-weight: 400; }
      /* Visually hidden but focusable; beats the base rule that makes text inputs full width. */
      .attach input[type='file'] { position: absolute; inset: 0 auto auto 0; opacity: 0; width: 1px; min-height: 0; height: 1px; padding: 0; border: 0; }
      .attach span {
        display: inline-flex; align-items: center; min-height: 44px; padding: 0 1em; cursor: pointer;
        border: 1px solid var(--cl-primary, #0b57d0); border-radius: var(--cl-radius, 8px); color: var(--cl-primary, #0b57d0);
      }
      .attach input:focus-visible + span { outline: 3px solid var(--cl-focus, #0b57d0); outline-offset: 2px; }
      button.link { min-height: 44px; background: none; border: 0; color: var(--cl-primary, #0b57d0); padding: 0 0.5em; text-decoration: underline; }
    `,
  ];

  /**
   * <cl-message-box tracking-code access-key>: write to customer service and attach photos or PDFs.
   * Sending is safe offline: the message keeps one idempotency key until the API has it (also across a
   * reload), is retried like a submission, and sent again when the connection returns. Event: cl-message-sent.
   */
  class MessageBox extends ClElement {
    static override styles = styles;
    static override properties = {
      trackingCode: { attribute: 'tracking-code' },
      feedbackAccessKey: { attribute: 'access-key' },
      label: {},
      body: { state: true },
      files: { state: true },
      phase: { state: true },
      notice: { state: true },
      error: { state: true },
    };

    declare trackingCode?: string;
    declare feedbackAccessKey?: string;
    declare label?: string;
    declare body: string;
    declare files: Pending[];
    declare phase: 'edit' | 'sending' | 'waiting';
    declare notice: string;
    declare error: string;
    private key?: string;

    constructor() {
      super();
      this.body = '';
      this.files = [];
      this.phase = 'edit';
      this.notice = '';
      this.error = '';
    }

    override connectedCallback() {
      super.connectedCallback();
      addEventListener('online', this.onOnline);
      const saved = this.trackingCode ? readOutbox(this.trackingCode) : null;
      if (saved) {
        this.key = saved.key;
        this.body = saved.body;
        this.files = saved.uploads.map((u) => ({ name: u.name, id: u.id, progress: 1 }));
        this.phase = 'waiting';
        this.notice = msg('有一条留言尚未发送，联网后将自动发送。', { id: 'msg.pending' });
        if (navigator.onLine) queueMicrotask(() => void this.send());
      }
    }

    override disconnectedCallback() {
      super.disconnectedCallback();
      removeEventListener('online', this.onOnline);
    }

    private onOnline = () => {
      if (this.phase === 'waiting') void this.send();
    };

    override render() {
      const n = d.codePointLength(this.body);
      const over = n > d.messageMax;
      return html`<form part="message-form" novalidate @submit=${(e: Event) => (e.preventDefault(), void this.send())}>
        <label for="body">${this.label || msg('给客服留言', { id: 'msg.label' })}</label>
        <textarea id="body" part="textarea" .value=${this.body} aria-invalid=${over || this.error ? 'true' : 'false'}
          aria-describedby="count msg-error" @input=${(e: Event) => this.edit((e.target as HTMLTextAreaElement).value)}></textarea>
        <p id="count" class=${over ? 'error counter' : 'muted counter'}>${msg(str`${n} / ${d.messageMax} 字`, { id: 'form.count' })}</p>
        ${this.files.length
          ? html`<ul class="files" part="files" aria-label=${msg('附件', { id: 'msg.files' })}>
              ${this.files.map((f, i) => html`<li part="file">
                <span>${f.name}${f.error ? html` — <span class="error">${f.error}</span>` : nothing}</span>
                ${f.file && !f.id && this.phase === 'sending' ? html`<progress max="1" .value=${f.progress} aria-label=${msg(str`${f.name} 上传进度`, { id: 'msg.progress' })}></progress>` : nothing}
                ${this.phase === 'sending' ? nothing : html`<button type="button" class="link" @click=${() => this.removeFile(i)} aria-label=${msg(str`移除 ${f.name}`, { id: 'msg.remove' })}>${msg('移除', { id: 'msg.removeShort' })}</button>`}
              </li>`)}
            </ul>`
          : nothing}
        <p id="msg-error" class="error" role="alert" part="error">${this.error}</p>
        <div role="status" class=${this.notice ? 'banner' : 'sr'} part="banner">${this.notice}</div>
        <div class="row">
          <label class="attach"><input type="file" multiple accept=${ACCEPT} @change=${this.pick} ?disabled=${this.phase === 'sending' || this.files.length >= MAX_FILES} /><span part="attach">${msg('添加图片或 PDF', { id: 'msg.attach' })}</span></label>
          <button type="submit" part="button" ?disabled=${this.phase === 'sending'}>${this.phase === 'sending' ? msg('正在发送…', { id: 'msg.sending' }) : msg('发送', { id: 'msg.send' })}</button>
        </div>
      </form>`;
    }

    private edit(value: string) {
      this.body = value;
      this.error = '';
      // A changed message is a new message: it gets a new key (unless files are already on their way).
      if (this.phase === 'edit') this.key = undefined;
    }

    private pick(e: Event) {
      const input = e.target as HTMLInputElement;
      const chosen = [...(input.files ?? [])];
      input.value = '';
      const room = MAX_FILES - this.files.length;
      const next: Pending[] = chosen.slice(0, room).map((file) => ({
        file, name: file.name, progress: 0,
        error: file.size > MAX_BYTES ? msg('文件超过 10 MB', { id: 'msg.toolarge' }) : undefined,
      }));
      this.files = [...this.files, ...next];
      this.error = chosen.length > room ? msg(str`每条留言最多 ${MAX_FILES} 个附件`, { id: 'msg.toomany' }) : '';
      this.key = undefined;
    }

    private removeFile(i: number) {
      this.files = this.files.filter((_, j) => j !== i);
      this.key = undefined;
    }

    async send() {
      if (this.phase === 'sending' || !this.trackingCode) return;
      const body = this.body.trim();
      if (d.codePointLength(body) > d.messageMax) return void (this.error = msg(str`请精简到 ${d.messageMax} 字以内`, { id: 'err.contentlong' }));
      if (!body && !this.files.length) return void (this.error = msg('请输入留言或添加附件', { id: 'msg.empty' }));
      if (this.files.some((f) => f.error)) return void (this.error = msg('请先移除无法上传的文件', { id: 'msg.fixfiles' }));
      const code = this.trackingCode;
      const accessKey = this.feedbackAccessKey || null;
      this.phase = 'sending';
      this.error = '';
      this.notice = '';
      this.key ??= newKey();
      try {
        for (const f of this.files) {
          if (f.id || !f.file) continue;
          const r = await this.sdk.uploadAttachment({ trackingCode: code, accessKey, filename: f.name }, f.file, {
            onProgress: (sent, total) => {
              f.progress = total ? sent / total : 0;
              this.requestUpdate();
            },
          });
          if ('id' in r) f.id = r.id;
          else if (r.code === 'NETWORK_ERROR') throw new Error(r.code);
          else {
            f.error = r.code === 'UNSUPPORTED_TYPE' ? msg('只能上传 JPEG、PNG、WebP、HEIC 图片或 PDF', { id: 'msg.badtype' }) : r.code === 'TOO_LARGE' ? msg('文件超过 10 MB', { id: 'msg.toolarge' }) : r.message;
            this.files = [...this.files];
            this.phase = 'edit';
            return;
          }
        }
        const uploads = this.files.map((f) => ({ id: f.id!, name: f.name }));
        writeOutbox(code, { key: this.key, body, uploads });
        const r = await this.sdk.replyToFeedback(
          { trackingCode: code, accessKey, body, attachments: uploads.map((u) => u.id), idempotencyKey: this.key },
          { onRetry: () => (this.notice = msg('网络不稳定，正在重试…', { id: 'form.retrying' })) },
        );
        if (r.__typename === 'ReplyToFeedbackPayload') {
          writeOutbox(code, null);
          this.body = '';
          this.files = [];
          this.key = undefined;
          this.phase = 'edit';
          this.notice = msg('留言已发送', { id: 'msg.sent' });
          this.emit('cl-message-sent', { trackingCode: r.trackingCode, event: r.event as ProgressEvent, accessKey: r.accessKey ?? null });
          return;
        }
        writeOutbox(code, null);
        this.phase = 'edit';
        this.error = r.__typename === 'NotAllowedError'
          ? msg('这条反馈已无法留言，如有需要请提交新的反馈。', { id: 'msg.closed' })
          : r.__typename === 'ValidationError' ? (r.fieldErrors[0]?.message ?? r.message) : r.message;
      } catch {
        // Lost on the way after the SDK's retries: kept (with its key) and sent again when the connection returns.
        this.phase = 'waiting';
        this.notice = msg('网络连接失败，留言已保存，联网后将自动发送。', { id: 'msg.offline' });
      }
    }
  }

  /**
   * <cl-case-actions tracking-code access-key can-withdraw reviewable-until>: withdraw open feedback, or ask
   * for a review of a resolution the customer disagrees with, each with an optional reason.
   * Events: cl-withdrawn, cl-review-requested.
   */
  class CaseActions extends ClElement {
    static override styles = styles;
    static override properties = {
      trackingCode: { attribute: 'tracking-code' },
      feedbackAccessKey: { attribute: 'access-key' },
      canWithdraw: { attribute: 'can-withdraw', type: Boolean },
      reviewableUntil: { attribute: 'reviewable-until' },
      open: { state: true },
      reason: { state: true },
      error: { state: true },
      busy: { state: true },
    };

    declare trackingCode?: string;
    declare feedbackAccessKey?: string;
    declare canWithdraw: boolean;
    declare reviewableUntil?: string;
    declare open: '' | 'withdraw' | 'review';
    declare reason: string;
    declare error: string;
    declare busy: boolean;

    constructor() {
      super();
      this.canWithdraw = false;
      this.open = '';
      this.reason = '';
      this.error = '';
      this.busy = false;
    }

    override render() {
      if (this.open) return this.renderForm(this.open);
      const review = Boolean(this.reviewableUntil);
      if (!this.canWithdraw && !review) return nothing;
      return html`<div class="row" part="actions">
        ${review ? html`<button type="button" class="secondary" part="button review" id="review" @click=${() => this.start('review')}>${msg('对结果有异议，申请复核', { id: 'act.review' })}</button>
          <span class="muted">${msg(str`可在 ${this.when(this.reviewableUntil, false)} 前申请`, { id: 'act.until' })}</span>` : nothing}
        ${this.canWithdraw ? html`<button type="button" class="secondary" part="button withdraw" id="withdraw" @click=${() => this.start('withdraw')}>${msg('撤回反馈', { id: 'act.withdraw' })}</button>` : nothing}
      </div>`;
    }

    private renderForm(which: 'withdraw' | 'review') {
      const over = d.codePointLength(this.reason) > d.reasonMax;
      return html`<form part="action-form" novalidate @submit=${(e: Event) => (e.preventDefault(), void this.confirm(which))}>
        <label for="reason">${which === 'withdraw' ? msg('撤回原因（可选）', { id: 'act.withdrawReason' }) : msg('请说明您不认可的地方（可选）', { id: 'act.reviewReason' })}</label>
        <textarea id="reason" part="textarea" .value=${this.reason} aria-invalid=${over ? 'true' : 'false'} aria-describedby="act-error"
          @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea>
        <p id="act-error" class="error" role="alert">${over ? msg('内容过长', { id: 'err.long' }) : this.error}</p>
        <div class="row">
          <button type="submit" part="button" ?disabled=${this.busy || over}>${which === 'withdraw' ? msg('确认撤回', { id: 'act.confirmWithdraw' }) : msg('提交复核申请', { id: 'act.confirmReview' })}</button>
          <button type="button" class="secondary" part="button" @click=${this.cancel}>${msg('取消', { id: 'act.cancel' })}</button>
        </div>
      </form>`;
    }

    private start(which: 'withdraw' | 'review') {
      this.open = which;
      this.reason = '';
      this.error = '';
      void this.focusRendered('#reason');
    }

    private cancel() {
      const was = this.open;
      this.open = '';
      void this.focusRendered(`#${was}`);
    }

    private async confirm(which: 'withdraw' | 'review') {
      const input = { trackingCode: this.trackingCode ?? '', accessKey: this.feedbackAccessKey || null, reason: this.reason.trim() || null };
      this.busy = true;
      try {
        const r = which === 'withdraw' ? await this.sdk.withdrawFeedback(input) : await this.sdk.requestReview(input);
        if (r.__typename === 'CustomerActionPayload') {
          this.open = '';
          this.emit(which === 'withdraw' ? 'cl-withdrawn' : 'cl-review-requested', { trackingCode: input.trackingCode, status: r.feedback.status });
          return;
        }
        this.error = r.__typename === 'NotAllowedError' ? msg('当前状态下无法进行此操作。', { id: 'act.notallowed' }) : r.message;
      } catch {
        this.error = msg('提交失败，请稍后再试。', { id: 'form.failed' });
      } finally {
        this.busy = false;
      }
    }
  }

  customElements.get('cl-message-box') ?? customElements.define('cl-message-box', MessageBox);
  customElements.get('cl-case-actions') ?? customElements.define('cl-case-actions', CaseActions);
}
