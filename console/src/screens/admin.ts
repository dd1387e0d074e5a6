// Administration: reply templates (managed here), the directory and the workflow configuration, and
// routing rules with a try-out against a sample feedback. Admins and supervisors only (the API checks).
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { gql, failure, type Me } from '../api.ts';
import { LOCALES, t } from '../i18n.ts';
import { shared } from '../styles.ts';

const SECTIONS = ['templates', 'routing', 'staff', 'channels', 'apikeys', 'departments', 'tiers', 'calendars', 'sla'] as const;
const LABEL: Record<string, string> = {
  templates: 'replyTemplates', routing: 'routingRules', staff: 'staff', channels: 'channels', apikeys: 'apiKeys', departments: 'departments', tiers: 'tiers', calendars: 'calendars', sla: 'slaPolicies',
};
const QUERIES: Record<string, string> = {
  templates: `{ replyTemplates { id name locale body } }`,
  routing: `{ routingRules { id name position enabled isDefault level priority department { name } match { kinds categories keywords tiers channels } } }`,
  staff: `{ staffMembers { id name email role level active mustChangePassword department { name } } departments { id name } }`,
  channels: `{ channelApps { id name kind publishableKey active realm hasSigningSecret previousSecretExpiresAt } }`,
  apikeys: `{ apiKeys { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt } }`,
  departments: `{ departments { id code name calendar { name } } }`,
  tiers: `{ tiers { id code name rank dedicatedManager } }`,
  calendars: `{ businessCalendars { id code name timeZone isDefault holidays workingDays } }`,
  sla: `{ slaPolicies { id kind tierCode category firstResponseMinutes resolutionMinutes } }`,
};
const result = `__typename ... on Error { code message } ... on ValidationError { fieldErrors { path message } }`;

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
  @state() private test: { rule: { name: string } | null } | null = null;
  /** A secret shown once (initial password, signing secret, API key): never stored by the console. */
  @state() private secret = '';

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('section')) void this.load();
  }

  private async load() {
    this.data = null;
    this.data = await gql(QUERIES[this.section] ?? QUERIES.templates!).catch((e) => ({ error: (e as Error).message }));
  }

  private async mutate(query: string, input: Record<string, unknown>, secretOf?: (r: any) => string) {
    const d = await gql(query, { input });
    const res = Object.values(d)[0] as any;
    const err = failure(res);
    this.message = err ?? t('saved');
    this.secret = !err && secretOf ? secretOf(res) : '';
    if (!err) await this.load();
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
    switch (this.section) {
      case 'templates': return this.renderTemplates(d.replyTemplates);
      case 'routing': return this.renderRouting(d.routingRules);
      case 'staff': return this.renderStaff(d.staffMembers, d.departments);
      case 'channels': return this.renderChannels(d.channelApps);
      case 'apikeys': return this.renderApiKeys(d.apiKeys);
      case 'departments': return this.table(['code', 'name', 'calendars'], d.departments.map((x: any) => [x.code, x.name, x.calendar?.name ?? '—']));
      case 'tiers': return this.table(['code', 'name', 'rank', 'accountManager'], d.tiers.map((x: any) => [x.code, x.name, String(x.rank), x.dedicatedManager ? '✔' : '—']));
      case 'calendars': return this.table(['code', 'name', 'timeZone', 'holidays', 'workingDays'], d.businessCalendars.map((x: any) => [x.code, x.name, x.timeZone, x.holidays.join(' '), x.workingDays.join(' ')]));
      case 'sla': return this.table(['kind', 'tier', 'category', 'firstResponse', 'resolution'], d.slaPolicies.map((x: any) => [t(x.kind), x.tierCode ?? '*', x.category ?? '*', `${x.firstResponseMinutes} min`, `${x.resolutionMinutes} min`]));
      default: return nothing;
    }
  }

  private form(fn: (f: FormData) => void) {
    return (e: Event) => {
      e.preventDefault();
      fn(new FormData(e.target as HTMLFormElement));
    };
  }

  private renderStaff(list: any[], departments: Array<{ id: string; name: string }>) {
    const create = this.form((f) => this.mutate(
      `mutation($input: CreateStaffInput!) { createStaff(input: $input) { ${result} ... on StaffInitialPasswordPayload { initialPassword } } }`,
      { email: String(f.get('email')), name: String(f.get('name')) || null, role: String(f.get('role')), departmentId: String(f.get('department')) || null },
      (r) => r.initialPassword,
    ));
    return html`
      <form class="card stack" @submit=${create} aria-labelledby="new-staff">
        <h2 id="new-staff">${t('create')}</h2>
        <div class="row">
          <label>${t('email')}<input name="email" type="email" required /></label>
          <label>${t('name')}<input name="name" /></label>
          <label>${t('role')}<select name="role">${['AGENT', 'SENIOR', 'EXPERT', 'SUPERVISOR', 'ADMIN', 'AUDITOR'].map((r) => html`<option>${r}</option>`)}</select></label>
          <label>${t('department')}<select name="department"><option value="">—</option>${departments.map((d) => html`<option value=${d.id}>${d.name}</option>`)}</select></label>
        </div>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button>
      </form>
      <table><thead><tr>${['name', 'email', 'role', 'level', 'department', 'active'].map((h) => html`<th scope="col">${t(h)}</th>`)}<th scope="col"><span class="visually-hidden">${t('action')}</span></th></tr></thead>
        <tbody>${list.map((m) => html`<tr><td>${m.name}</td><td>${m.email}</td><td>${m.role}</td><td>${m.level}</td><td>${m.department?.name ?? '—'}</td>
          <td>${m.active ? '✔' : '✘'}${m.mustChangePassword ? html` <span class="muted">(${t('oneTimePassword')})</span>` : nothing}</td>
          <td>${m.active && m.id !== this.me.id ? html`<sl-button size="small" variant="danger" outline
            @click=${() => this.mutate(`mutation($input: DeactivateStaffInput!) { deactivateStaff(input: $input) { ${result} } }`, { id: m.id })}>${t('deactivate')}</sl-button>` : nothing}</td></tr>`)}</tbody></table>`;
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

  private table(headers: string[], rows: string[][]) {
    return html`<table><thead><tr>${headers.map((h) => html`<th scope="col">${t(h)}</th>`)}</tr></thead>
      <tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`;
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

  private renderRouting(rules: any[]) {
    const tryIt = async (e: Event) => {
      e.preventDefault();
      const f = new FormData(e.target as HTMLFormElement);
      const keywords = String(f.get('keywords') ?? '').split(/[,，]/).map((x) => x.trim()).filter(Boolean);
      const d = await gql(`query($sample: RoutingSampleInput!, $match: RoutingMatchInput) { testRouting(sample: $sample, match: $match) { draftMatches rule { name } } }`, {
        sample: { kind: f.get('kind'), content: String(f.get('content')), category: String(f.get('category') ?? '') || null, tierCode: String(f.get('tier') ?? '') || null },
        match: keywords.length ? { keywords } : null,
      });
      this.test = d.testRouting;
    };
    return html`
      <form class="card stack" @submit=${tryIt} aria-labelledby="try-title">
        <h2 id="try-title">${t('testRule')}</h2>
        <div class="row">
          <label>${t('kind')}<select name="kind">${['COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY'].map((k) => html`<option value=${k}>${t(k)}</option>`)}</select></label>
          <label>${t('category')}<input name="category" /></label>
          <label>${t('tier')}<select name="tier"><option value="">—</option>${['PRIVATE_BANKING', 'VIP', 'STANDARD'].map((k) => html`<option>${k}</option>`)}</select></label>
          <label>Keywords (draft rule)<input name="keywords" /></label>
        </div>
        <label>${t('sampleContent')}<textarea name="content" required></textarea></label>
        <sl-button type="submit">${t('testRule')}</sl-button>
        ${this.test ? html`<p role="status" data-testid="routing-result">${t('matchesRule')}: <strong>${this.test.rule?.name ?? '—'}</strong>
          ${(this.test as any).draftMatches != null ? html` · draft: ${(this.test as any).draftMatches ? '✔' : '✘'}` : nothing}</p>` : nothing}
      </form>
      ${this.table(['#', 'name', 'department', 'level', 'priority', 'active'],
        rules.map((r) => [String(r.position), r.name, r.department.name, r.level, t(r.priority), r.enabled ? '✔' : '✘']))}`;
  }
}
