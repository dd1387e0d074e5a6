// The auditor's read-only audit trail, newest first, with the hash-chain check.
import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { gql } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { shared } from '../styles.ts';

interface Entry { sequence: string; at: string; actorType: string; actorId: string | null; action: string; targetType: string | null; targetId: string | null; data: string | null }
const TRAIL = `query($before: String) { auditTrail(first: 100, before: $before) { sequence at actorType actorId action targetType targetId data } }`;
const CHECK = `{ auditChainCheck { intact checked firstBrokenSequence } }`;

@customElement('cl-audit')
export class AuditScreen extends LitElement {
  static styles = [shared];
  @state() private entries: Entry[] = [];
  @state() private check: { intact: boolean; checked: number; firstBrokenSequence: string | null } | null = null;
  @state() private checking = false;
  @state() private more = true;

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    const before = this.entries.at(-1)?.sequence ?? null;
    const d = await gql<{ auditTrail: Entry[] }>(TRAIL, { before });
    this.entries = [...this.entries, ...d.auditTrail];
    this.more = d.auditTrail.length === 100;
  }

  private async verify() {
    this.checking = true;
    try {
      this.check = (await gql(CHECK)).auditChainCheck;
    } finally {
      this.checking = false;
    }
  }

  render() {
    const c = this.check;
    return html`<section class="stack" aria-labelledby="audit-title">
      <h1 id="audit-title">${t('audit')}</h1>
      <div class="row">
        <sl-button @click=${this.verify} ?loading=${this.checking} data-testid="verify-chain">${t('verifyChain')}</sl-button>
        <span role="status" data-testid="chain-result">${c ? (c.intact ? `✔ ${t('chainIntact')} (${c.checked} ${t('records')})` : `✘ ${t('chainBroken')} #${c.firstBrokenSequence}`) : ''}</span>
      </div>
      <table>
        <caption class="visually-hidden">${t('audit')}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">${t('at')}</th><th scope="col">${t('actor')}</th><th scope="col">${t('action')}</th><th scope="col">${t('target')}</th><th scope="col">Data</th></tr></thead>
        <tbody>${this.entries.map((e) => html`<tr><td>${e.sequence}</td><td>${formatTime(e.at)}</td><td>${e.actorType} ${e.actorId?.slice(0, 8) ?? ''}</td>
          <td>${e.action}</td><td>${e.targetType ?? ''} ${e.targetId?.slice(0, 8) ?? ''}</td><td class="muted">${e.data ?? ''}</td></tr>`)}</tbody>
      </table>
      ${this.more ? html`<sl-button @click=${this.load}>${t('older')}</sl-button>` : nothing}
    </section>`;
  }
}
