// The ticket's customer card: name, tier, dedicated account manager, contact and their other feedback.
// An admin or supervisor sets the tier (setCustomerTier) and sets or removes the account manager
// (setAccountManager), to whom routing then gives the customer's tickets.
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { RESULT, mutate, type Me } from '../api.ts';
import { t } from '../i18n.ts';
import { shared } from '../styles.ts';
import type { Reference, TicketView } from './ticket.ts';

/**
 * @fires changed - after a change was saved; `detail` is the message to show.
 */
@customElement('cl-customer-card')
export class CustomerCard extends LitElement {
  static styles = [shared, css`
    :host { display: block; }
    .card { padding: var(--sl-spacing-medium); }
    form { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: end; }
  `];

  @property({ attribute: false }) ticket!: TicketView;
  @property({ attribute: false }) ref!: Reference;
  @property({ attribute: false }) me!: Me;
  @state() private message = '';

  private async change(query: string, input: Record<string, unknown>) {
    this.message = '';
    const { error } = await mutate(query, input);
    this.message = error ?? '';
    if (!error) this.dispatchEvent(new CustomEvent('changed', { detail: t('saved'), bubbles: true, composed: true }));
  }

  render() {
    const tk = this.ticket;
    const c = tk.customer;
    const contact = tk.feedback[0]?.contact;
    const managers = this.ref.staffMembers.filter((s) => s.active && s.role !== 'AUDITOR');
    const mayManage = c && (this.me.role === 'ADMIN' || this.me.role === 'SUPERVISOR');
    const setTier = (e: Event) => {
      e.preventDefault();
      const code = String(new FormData(e.target as HTMLFormElement).get('tierCode'));
      void this.change(`mutation($input: SetCustomerTierInput!) { setCustomerTier(input: $input) { ${RESULT} } }`, { customerId: c!.id, tierCode: code });
    };
    const setManager = (e: Event) => {
      e.preventDefault();
      const id = String(new FormData(e.target as HTMLFormElement).get('staffId'));
      void this.change(`mutation($input: SetAccountManagerInput!) { setAccountManager(input: $input) { ${RESULT} } }`, { customerId: c!.id, staffId: id || null });
    };
    return html`<section class="card stack" aria-labelledby="customer-title" data-testid="customer">
      <h2 id="customer-title">${t('customer')}</h2>
      <dl>
        <dt>${t('name')}</dt><dd>${c?.name ?? contact?.name ?? '—'}</dd>
        <dt>${t('tier')}</dt><dd data-testid="customer-tier">${c?.tier?.name ?? '—'}</dd>
        <dt>${t('accountManager')}</dt><dd data-testid="customer-manager">${c?.accountManager?.name ?? '—'}</dd>
        <dt>☎</dt><dd>${c?.phone ?? contact?.phone ?? '—'}</dd>
        <dt>@</dt><dd>${c?.email ?? contact?.email ?? '—'}</dd>
      </dl>
      ${mayManage && this.ref.tiers.length ? html`<form @submit=${setTier} data-testid="set-tier">
        <label>${t('tier')}<select name="tierCode">${this.ref.tiers.map((x) => html`<option value=${x.code} ?selected=${x.code === c.tier?.code}>${x.name}</option>`)}</select></label>
        <sl-button size="small" type="submit">${t('setTier')}</sl-button></form>` : nothing}
      ${mayManage ? html`<form @submit=${setManager} data-testid="set-manager">
        <label>${t('accountManager')}<select name="staffId"><option value="">${t('noManager')}</option>
          ${managers.map((s) => html`<option value=${s.id} ?selected=${s.id === c!.accountManager?.id}>${s.name}</option>`)}</select></label>
        <sl-button size="small" type="submit">${t('setManager')}</sl-button></form>` : nothing}
      ${this.message ? html`<p class="error" role="alert">${this.message}</p>` : nothing}
      ${c ? html`<h3>${t('history')}</h3><ul>${c.feedback.edges.map(({ node: f }) => html`<li><span class="code">${f.trackingCode}</span> ${t(f.kind)} · ${t(f.status)}</li>`)}</ul>` : nothing}
    </section>`;
  }
}
