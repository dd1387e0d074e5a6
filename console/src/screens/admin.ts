// Administration: reply templates, channels and API keys (here); staff, departments and tiers
// (admin-directory.ts); calendars, SLA policies and routing rules (admin-workflow.ts), each loaded when
// first opened. Admins and supervisors see it; each section shows controls only to the roles the API lets
// change it (the API checks again).
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { gql, failure, type Me } from '../api.ts';
import { LOCALES, t } from '../i18n.ts';
import { shared } from '../styles.ts';
import { RESULT as result } from './admin-base.ts';

const SECTIONS = ['templates', 'routing', 'staff', 'channels', 'apikeys', 'departments', 'tiers', 'calendars', 'sla'] as const;
const LABEL: Record<string, string> = {
  templates: 'replyTemplates', routing: 'routingRules', staff: 'staff', channels: 'channels', apikeys: 'apiKeys', departments: 'departments', tiers: 'tiers', calendars: 'calendars', sla: 'slaPolicies',
};
const QUERIES: Record<string, string> = {
  templates: `{ replyTemplates { id name locale body } }`,
  channels: `{ channelApps { id name kind publishableKey active realm hasSigningSecret previousSecretExpiresAt } }`,
  apikeys: `{ apiKeys { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt } }`,
};
/** Sections with their own element, loaded when first opened (admin-directory.ts, admin-workflow.ts). */
const LAZY: Record<string, { tag: string; load: () => Promise<unknown> }> = {
  staff: { tag: 'cl-admin-staff', load: () => import('./admin-directory.ts') },
  departments: { tag: 'cl-admin-departments', load: () => import('./admin-directory.ts') },
  tiers: { tag: 'cl-admin-tiers', load: () => import('./admin-directory.ts') },
  calendars: { tag: 'cl-admin-calendars', load: () => import('./admin-workflow.ts') },
  sla: { tag: 'cl-admin-sla', load: () => import('./admin-workflow.ts') },
  routing: { tag: 'cl-admin-routing', load: () => import('./admin-workflow.ts') },
};

@customElement('cl-admin')
export class AdminScreen extends LitElement {
  static styles = [shared, css`
    :host { display: grid; grid-template-columns: 12rem 1fr; gap: var(--sl-spacing-medium); }
    @media (max-width: 800px) { :host { grid-template-columns: 1fr; } }
    nav { display: grid; gap: 0.25rem; align-content: start; }
    nav a { padding: 0.35rem 0.6rem; border-radius: 4px; color: var(--sl-color-primary-700); }
    nav a[aria-current='page'] { background: var(--sl-color-primary-50); font-weight: var(--sl-font-weight-semibold); }
    .card { padding: var(--sl-spacing-medium); }
    textarea { min-height: 5rem; }
  `];

  @property({ attribute: false }) me!: Me;
  @property() section = 'templates';
  @state() private data: any = null;
  @state() private message = '';
  /** A secret shown once (initial password, signing secret, API key): never stored by the console. */
  @state() private secret = '';

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('section')) void this.load();
  }

  private async load() {
    this.data = null;
    this.secret = '';
    this.message = '';
    const lazy = LAZY[this.section];
    if (lazy) {
      await lazy.load();
      this.data = { lazy: true };
      return;
    }
    this.data = await gql(QUERIES[this.section] ?? QUERIES.templates!).catch((e) => ({ error: (e as Error).message }));
  }

  private async mutate(query: string, input: Record<string, unknown>, secretOf?: (r: any) => string) {
    const d = await gql(query, { input });
    const res = Object.values(d)[0] as any;
    const err = failure(res);
    this.message = err ?? t('saved');
    // After the reload, which clears the secret of the section it leaves.
    if (!err) await this.load();
    this.secret = !err && secretOf ? secretOf(res) : '';
  }

  render() {
    return html`
      <nav aria-label=${t('admin')}>${SECTIONS.map((s) => html`<a href="#/admin/${s}" aria-current=${s === this.section ? 'page' : 'false'}>${t(LABEL[s]!)}</a>`)}</nav>
      <section class="stack" aria-labelledby="admin-title">
        <h1 id="admin-title">${t(LABEL[this.section] ?? 'admin')}</h1>
        <span role="status" class="muted">${this.message}</span>
        ${this.secret ? html`<p class="notice" role="status" data-testid="secret">${t('shownOnce')}: <code>${this.secret}</code></p>` : nothing}
        ${!this.data ? html`<p>${t('loading')}</p>` : this.data.error ? html`<p class="error">${this.data.error}</p>` : this.renderSection()}
      </section>`;
  }

  private renderSection() {
    const d = this.data;
    const lazy = LAZY[this.section];
    // One element per section, created by name so each is built only when its module has loaded.
    if (lazy) return this.renderLazy(lazy.tag);
    switch (this.section) {
      case 'templates': return this.renderTemplates(d.replyTemplates);
      case 'channels': return this.renderChannels(d.channelApps);
      case 'apikeys': return this.renderApiKeys(d.apiKeys);
      default: return nothing;
    }
  }

  private form(fn: (f: FormData) => void) {
    return (e: Event) => {
      e.preventDefault();
      fn(new FormData(e.target as HTMLFormElement));
    };
  }

  private renderChannels(list: any[]) {
    return this.tableOf(['name', 'channel', 'key', 'active', 'secret'], list, (c) => [c.name, c.kind, c.publishableKey, c.active ? '✔' : '✘',
      c.previousSecretExpiresAt ? `${t('overlapUntil')} ${c.previousSecretExpiresAt}` : (c.hasSigningSecret ? '✔' : '—')],
    (c) => html`${c.hasSigningSecret ? html`<sl-button size="small" @click=${() => this.mutate(
      `mutation($input: RotateChannelSecretInput!) { rotateChannelSecret(input: $input) { ${result} ... on RotateChannelSecretPayload { signingSecret } } }`,
      { id: c.id }, (r) => r.signingSecret)}>${t('rotateSecret')}</sl-button>` : nothing}
      <sl-button size="small" @click=${() => this.mutate(`mutation($input: UpdateChannelInput!) { updateChannel(input: $input) { ${result} } }`, { id: c.id, active: !c.active })}>
        ${c.active ? t('disable') : t('enable')}</sl-button>`);
  }

  private renderApiKeys(list: any[]) {
    const scopes = ['feedback:read', 'feedback:write', 'tickets:read', 'tickets:write', 'customers:read', 'customers:write'];
    const create = this.form((f) => this.mutate(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ${result} ... on CreateApiKeyPayload { key } } }`,
      { name: String(f.get('name')), scopes: f.getAll('scope').map(String) }, (r) => r.key,
    ));
    return html`
      <form class="card stack" @submit=${create} aria-labelledby="new-key">
        <h2 id="new-key">${t('create')}</h2>
        <label>${t('name')}<input name="name" required /></label>
        <fieldset class="row"><legend>Scopes</legend>${scopes.map((sc) => html`<label class="row"><input type="checkbox" name="scope" value=${sc} />${sc}</label>`)}</fieldset>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button>
      </form>
      ${this.tableOf(['name', 'key', 'scopes', 'lastUsed', 'revoked'], list, (k) => [k.name, `${k.prefix}…`, k.scopes.join(' '), k.lastUsedAt ?? '—', k.revokedAt ?? '—'],
        (k) => (k.revokedAt ? nothing : html`<sl-button size="small" variant="danger" outline
          @click=${() => this.mutate(`mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { ${result} } }`, { id: k.id })}>${t('revoke')}</sl-button>`))}`;
  }

  private tableOf<T>(headers: string[], list: T[], cells: (x: T) => string[], actions: (x: T) => unknown) {
    return html`<table><thead><tr>${headers.map((h) => html`<th scope="col">${t(h)}</th>`)}<th scope="col"><span class="visually-hidden">${t('action')}</span></th></tr></thead>
      <tbody>${list.map((x) => html`<tr>${cells(x).map((c) => html`<td>${c}</td>`)}<td class="row">${actions(x)}</td></tr>`)}</tbody></table>`;
  }

  private renderLazy(tag: string) {
    const me = this.me;
    switch (tag) {
      case 'cl-admin-staff': return html`<cl-admin-staff .me=${me}></cl-admin-staff>`;
      case 'cl-admin-departments': return html`<cl-admin-departments .me=${me}></cl-admin-departments>`;
      case 'cl-admin-tiers': return html`<cl-admin-tiers .me=${me}></cl-admin-tiers>`;
      case 'cl-admin-calendars': return html`<cl-admin-calendars .me=${me}></cl-admin-calendars>`;
      case 'cl-admin-sla': return html`<cl-admin-sla .me=${me}></cl-admin-sla>`;
      default: return html`<cl-admin-routing .me=${me}></cl-admin-routing>`;
    }
  }

  private renderTemplates(list: Array<{ id: string; name: string; locale: string; body: string }>) {
    const create = (e: Event) => {
      e.preventDefault();
      const f = new FormData(e.target as HTMLFormElement);
      void this.mutate(`mutation($input: CreateReplyTemplateInput!) { createReplyTemplate(input: $input) { ${result} } }`,
        { name: String(f.get('name')), locale: String(f.get('locale')), body: String(f.get('body')) });
    };
    return html`
      <form class="card stack" @submit=${create}>
        <h2>${t('create')}</h2>
        <p class="muted">{{customer.name}} {{trackingCode}} {{agent.displayName}} {{dueDate}}</p>
        <div class="row"><label>${t('name')}<input name="name" required /></label>
          <label>${t('locale')}<select name="locale">${LOCALES.map((l) => html`<option>${l}</option>`)}</select></label></div>
        <label>${t('body')}<textarea name="body" required></textarea></label>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button>
      </form>
      <table><thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('locale')}</th><th scope="col">${t('body')}</th><th scope="col"><span class="visually-hidden">${t('delete')}</span></th></tr></thead>
        <tbody>${list.map((x) => html`<tr><td>${x.name}</td><td>${x.locale}</td><td>${x.body}</td>
          <td><sl-button size="small" variant="danger" outline @click=${() => this.mutate(`mutation($input: DeleteByIdInput!) { deleteReplyTemplate(input: $input) { ${result} } }`, { id: x.id })}>${t('delete')}</sl-button></td></tr>`)}</tbody></table>`;
  }
}
