// Administration: reply templates (managed here), the directory and the workflow configuration, and
// routing rules with a try-out against a sample feedback. Admins and supervisors only (the API checks).
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { gql, failure, type Me } from '../api.ts';
import { LOCALES, t } from '../i18n.ts';
import { shared } from '../styles.ts';

const SECTIONS = ['templates', 'routing', 'staff', 'departments', 'tiers', 'calendars', 'sla'] as const;
const LABEL: Record<string, string> = {
  templates: 'replyTemplates', routing: 'routingRules', staff: 'staff', departments: 'departments', tiers: 'tiers', calendars: 'calendars', sla: 'slaPolicies',
};
const QUERIES: Record<string, string> = {
  templates: `{ replyTemplates { id name locale body } }`,
  routing: `{ routingRules { id name position enabled isDefault level priority department { name } match { kinds categories keywords tiers channels } } }`,
  staff: `{ staffMembers { id name email role level active department { name } } }`,
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

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('section')) void this.load();
  }

  private async load() {
    this.data = null;
    this.data = await gql(QUERIES[this.section] ?? QUERIES.templates!).catch((e) => ({ error: (e as Error).message }));
  }

  private async mutate(query: string, input: Record<string, unknown>) {
    const d = await gql(query, { input });
    const err = failure(Object.values(d)[0] as never);
    this.message = err ?? t('saved');
    if (!err) await this.load();
  }

  render() {
    return html`
      <nav aria-label=${t('admin')}>${SECTIONS.map((s) => html`<a href="#/admin/${s}" aria-current=${s === this.section ? 'page' : 'false'}>${t(LABEL[s]!)}</a>`)}</nav>
      <section class="stack" aria-labelledby="admin-title">
        <h1 id="admin-title">${t(LABEL[this.section] ?? 'admin')}</h1>
        <span role="status" class="muted">${this.message}</span>
        ${!this.data ? html`<p>${t('loading')}</p>` : this.data.error ? html`<p class="error">${this.data.error}</p>` : this.renderSection()}
      </section>`;
  }

  private renderSection() {
    const d = this.data;
    switch (this.section) {
      case 'templates': return this.renderTemplates(d.replyTemplates);
      case 'routing': return this.renderRouting(d.routingRules);
      case 'staff': return this.table(['name', 'email', 'role', 'level', 'department', 'active'], d.staffMembers.map((s: any) => [s.name, s.email, s.role, s.level, s.department?.name ?? '—', s.active ? '✔' : '✘']));
      case 'departments': return this.table(['code', 'name', 'calendars'], d.departments.map((x: any) => [x.code, x.name, x.calendar?.name ?? '—']));
      case 'tiers': return this.table(['code', 'name', 'rank', 'accountManager'], d.tiers.map((x: any) => [x.code, x.name, String(x.rank), x.dedicatedManager ? '✔' : '—']));
      case 'calendars': return this.table(['code', 'name', 'timeZone', 'holidays', 'workingDays'], d.businessCalendars.map((x: any) => [x.code, x.name, x.timeZone, x.holidays.join(' '), x.workingDays.join(' ')]));
      case 'sla': return this.table(['kind', 'tier', 'category', 'firstResponse', 'resolution'], d.slaPolicies.map((x: any) => [t(x.kind), x.tierCode ?? '*', x.category ?? '*', `${x.firstResponseMinutes} min`, `${x.resolutionMinutes} min`]));
      default: return nothing;
    }
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
