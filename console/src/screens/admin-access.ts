// Administration of what reaches the institution from outside and what staff send out: channel apps
// (create, name, allowed origins, the customer-token public key, enable or disable, rotate the signing
// secret with its overlap window), partner API keys (scopes, optional expiry, revoke) and reply
// templates. Secrets are shown once and never kept by the console.
import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { LOCALES, t } from '../i18n.ts';
import { AdminSection, CHANNELS, RESULT, dates, str } from './admin-base.ts';

const SCOPES = ['feedback:read', 'feedback:write', 'tickets:read', 'tickets:write', 'customers:read', 'customers:write', 'staff:read', 'workflow:read', 'pii:read'];

/** One origin per line or separated by spaces, as the API wants them (it checks each). */
const origins = (v: FormDataEntryValue | null) => dates(v);

@customElement('cl-admin-channels')
export class AdminChannels extends AdminSection {
  protected readonly query = `{ channelApps { id name kind publishableKey active realm partner allowedOrigins algorithms publicKeyJwk hasSigningSecret previousSecretExpiresAt } }`;

  protected renderBody(d: any) {
    const create = this.submit((f) => this.mutate(
      `mutation($input: CreateChannelInput!) { createChannel(input: $input) { ${RESULT} ... on CreateChannelPayload { signingSecret } } }`,
      { name: str(f, 'name'), kind: str(f, 'kind'), allowedOrigins: origins(f.get('allowedOrigins')) },
      (r) => r.signingSecret ?? '',
    ));
    const save = (c: any) => this.submit(async (f, form) => {
      const key = str(f, 'publicKeyJwk');
      const remove = f.get('removePublicKey') === 'on';
      const ok = await this.mutate(`mutation($input: UpdateChannelInput!) { updateChannel(input: $input) { ${RESULT} } }`, {
        id: c.id, name: str(f, 'name'), allowedOrigins: origins(f.get('allowedOrigins')),
        // Empty leaves the stored key; the box removes it (and wins over a key pasted beside it).
        ...(remove ? { removePublicKey: true } : key ? { publicKeyJwk: key } : {}),
      });
      // The key box is for a new key only: empty again once it is stored.
      if (ok) (form.elements.namedItem('publicKeyJwk') as HTMLTextAreaElement).value = '';
    });
    const edit = !this.canEdit;
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-channel">
        <h2 id="new-channel">${t('create')}</h2>
        <div class="row"><label>${t('name')}<input name="name" required /></label>
          <label>${t('channel')}<select name="kind">${CHANNELS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label></div>
        <label>${t('allowedOrigins')} <span class="muted">(${t('originsHint')})</span><textarea name="allowedOrigins" rows="2" placeholder="https://www.bank.example"></textarea></label>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button></form>` : nothing}
      ${d.channelApps.map((c: any) => html`
        <form class="card stack" data-channel=${c.publishableKey} @submit=${save(c)} aria-labelledby="ch-${c.id}">
          <h2 id="ch-${c.id}">${c.name} <span class="muted">${c.kind} · ${c.active ? t('enabled') : t('disabled')}</span></h2>
          <p class="muted"><code>${c.publishableKey}</code> · ${c.algorithms.join(', ')} · ${c.previousSecretExpiresAt
            ? `${t('overlapUntil')} ${c.previousSecretExpiresAt}` : c.hasSigningSecret ? t('hasSecret') : t('noSecret')}</p>
          <label>${t('name')}<input name="name" .value=${c.name} required ?disabled=${edit} /></label>
          <label>${t('allowedOrigins')} <span class="muted">(${t('originsHint')})</span>
            <textarea name="allowedOrigins" rows="2" .value=${c.allowedOrigins.join('\n')} ?disabled=${edit}></textarea></label>
          <label>${t('publicKey')} <span class="muted">(${c.publicKeyJwk ? t('publicKeySet') : t('publicKeyHint')})</span>
            <textarea name="publicKeyJwk" rows="2" placeholder=${c.publicKeyJwk ?? '{"kty":"EC","crv":"P-256","x":"…","y":"…"}'} ?disabled=${edit}></textarea></label>
          ${c.publicKeyJwk && this.canEdit ? html`<label class="row"><input type="checkbox" name="removePublicKey" />${t('removePublicKey')}</label>` : nothing}
          ${this.canEdit ? html`<div class="row">
            <sl-button type="submit" variant="primary">${t('save')}</sl-button>
            ${c.hasSigningSecret ? html`<sl-button @click=${() => this.mutate(
              `mutation($input: RotateChannelSecretInput!) { rotateChannelSecret(input: $input) { ${RESULT} ... on RotateChannelSecretPayload { signingSecret } } }`,
              { id: c.id }, (r) => r.signingSecret)}>${t('rotateSecret')}</sl-button>` : nothing}
            <sl-button @click=${() => this.mutate(`mutation($input: UpdateChannelInput!) { updateChannel(input: $input) { ${RESULT} } }`, { id: c.id, active: !c.active })}>
              ${c.active ? t('disable') : t('enable')}</sl-button></div>` : nothing}
        </form>`)}`;
  }
}

@customElement('cl-admin-apikeys')
export class AdminApiKeys extends AdminSection {
  protected readonly query = `{ apiKeys { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt } }`;

  protected renderBody(d: any) {
    const create = this.submit((f) => {
      // A local date and time from the picker, sent as an instant.
      const until = str(f, 'expiresAt');
      void this.mutate(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ${RESULT} ... on CreateApiKeyPayload { key } } }`,
        { name: str(f, 'name'), scopes: f.getAll('scope').map(String), ...(until ? { expiresAt: new Date(until).toISOString() } : {}) }, (r) => r.key);
    });
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-key">
        <h2 id="new-key">${t('create')}</h2>
        <div class="row"><label>${t('name')}<input name="name" required /></label>
          <label>${t('expiresAt')} <span class="muted">(${t('optional')})</span><input name="expiresAt" type="datetime-local" /></label></div>
        <fieldset><legend>${t('scopes')}</legend>${this.checks('scope', SCOPES, [], (s) => s)}</fieldset>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button></form>` : nothing}
      <table data-testid="api-keys"><thead><tr>${['name', 'key', 'scopes', 'expiresAt', 'lastUsed', 'revoked'].map((h) => html`<th scope="col">${t(h)}</th>`)}
        <th scope="col"><span class="visually-hidden">${t('action')}</span></th></tr></thead>
        <tbody>${d.apiKeys.map((k: any) => html`<tr data-key=${k.prefix}><td>${k.name}</td><td><code>${k.prefix}…</code></td><td>${k.scopes.join(' ')}</td>
          <td>${k.expiresAt ?? '—'}</td><td>${k.lastUsedAt ?? '—'}</td><td>${k.revokedAt ?? '—'}</td>
          <td>${this.canEdit && !k.revokedAt ? html`<sl-button size="small" variant="danger" outline
            @click=${() => this.mutate(`mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { ${RESULT} } }`, { id: k.id })}>${t('revoke')}</sl-button>` : nothing}</td></tr>`)}
        </tbody></table>`;
  }
}

@customElement('cl-admin-templates')
export class AdminTemplates extends AdminSection {
  protected readonly query = `{ replyTemplates { id name locale body } }`;
  protected editors: AdminSection['editors'] = ['ADMIN', 'SUPERVISOR'];

  protected renderBody(d: any) {
    const create = this.submit((f) => this.mutate(`mutation($input: CreateReplyTemplateInput!) { createReplyTemplate(input: $input) { ${RESULT} } }`,
      { name: str(f, 'name'), locale: str(f, 'locale'), body: String(f.get('body') ?? '') }));
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-template">
        <h2 id="new-template">${t('create')}</h2>
        <p class="muted">{{customer.name}} {{trackingCode}} {{agent.displayName}} {{dueDate}}</p>
        <div class="row"><label>${t('name')}<input name="name" required /></label>
          <label>${t('locale')}<select name="locale">${LOCALES.map((l) => html`<option>${l}</option>`)}</select></label></div>
        <label>${t('body')}<textarea name="body" required></textarea></label>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button></form>` : nothing}
      <table><thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('locale')}</th><th scope="col">${t('body')}</th><th scope="col"><span class="visually-hidden">${t('delete')}</span></th></tr></thead>
        <tbody>${d.replyTemplates.map((x: any) => html`<tr><td>${x.name}</td><td>${x.locale}</td><td>${x.body}</td>
          <td>${this.canEdit ? html`<sl-button size="small" variant="danger" outline
            @click=${() => this.mutate(`mutation($input: DeleteByIdInput!) { deleteReplyTemplate(input: $input) { ${RESULT} } }`, { id: x.id })}>${t('delete')}</sl-button>` : nothing}</td></tr>`)}</tbody></table>`;
  }
}
