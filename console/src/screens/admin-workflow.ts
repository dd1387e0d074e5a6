// Administration of the workflow: business calendars (holidays and make-up working days), SLA
// policies by kind × tier × category, and routing rules (ordered, first match wins; a draft is tried
// against a sample feedback with testRouting before it can be saved).
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { gql } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminSection, CHANNELS, KINDS, LEVELS, PRIORITIES, RESULT, dates, intervalsOf, list, nullable, spansOf, str } from './admin-base.ts';

/** A new calendar's week until edited: Monday to Friday, 09:00–12:00 and 13:00–18:00. */
const OFFICE_HOURS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, intervals: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }] }));
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const WORKFLOW_EDITORS: AdminSection['editors'] = ['ADMIN', 'SUPERVISOR'];

@customElement('cl-admin-calendars')
export class AdminCalendars extends AdminSection {
  protected readonly query = `{ businessCalendars { id code name timeZone isDefault holidays workingDays holidaysCoveredUntil weeklyHours { weekday intervals { start end } } makeupHours { start end } } }`;
  protected editors = WORKFLOW_EDITORS;

  protected renderBody(d: any) {
    const save = (c: any) => this.submit((f) => {
      // The week and the make-up days' hours, as typed: refused here when a part is not a time span
      // (the API refuses overlaps and empty spans with its own message).
      const week = WEEKDAYS.map((weekday) => ({ weekday, intervals: intervalsOf(f.get(`hours-${weekday}`)) }));
      const makeup = intervalsOf(f.get('makeupHours'));
      if (week.some((w) => w.intervals === null) || makeup === null) {
        this.message = t('badHours');
        return;
      }
      void this.mutate(`mutation($input: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $input) { ${RESULT} } }`, {
        id: c.id, name: str(f, 'name'), timeZone: str(f, 'timeZone'), isDefault: f.get('isDefault') === 'on' || c.isDefault,
        holidays: [...new Set(dates(f.get('holidays')))].sort(), workingDays: [...new Set(dates(f.get('workingDays')))].sort(),
        weeklyHours: week.filter((w) => w.intervals!.length), makeupHours: makeup.length ? makeup : null,
      });
    });
    const create = this.submit((f) => this.mutate(`mutation($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { ${RESULT} } }`,
      { code: str(f, 'code'), name: str(f, 'name'), timeZone: nullable(f, 'timeZone'), weeklyHours: OFFICE_HOURS }));
    const dayHours = (c: any, weekday: number) => spansOf(c.weeklyHours.find((w: any) => w.weekday === weekday)?.intervals ?? []);
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-cal">
        <h2 id="new-cal">${t('create')}</h2>
        <div class="row"><label>${t('code')}<input name="code" required /></label><label>${t('name')}<input name="name" required /></label>
          <label>${t('timeZone')}<input name="timeZone" placeholder="Asia/Shanghai" /></label></div>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button></form>` : nothing}
      ${d.businessCalendars.map((c: any) => html`
        <form class="card stack" data-calendar=${c.code} @submit=${save(c)} aria-labelledby="cal-${c.id}">
          <h2 id="cal-${c.id}">${c.name} <span class="muted">${c.code}${c.isDefault ? ` · ${t('isDefault')}` : ''}</span></h2>
          ${c.holidaysCoveredUntil ? html`<p class="muted">${t('holidays')} ≤ ${c.holidaysCoveredUntil}</p>` : nothing}
          <fieldset class="week" data-testid="weekly-hours"><legend>${t('weeklyHours')} <span class="muted">(${t('hoursHint')})</span></legend>
            ${WEEKDAYS.map((w) => html`<label>${t(`weekday${w}`)}<input name="hours-${w}" .value=${dayHours(c, w)} ?disabled=${!this.canEdit} /></label>`)}
            <label>${t('makeupHours')}<input name="makeupHours" .value=${spansOf(c.makeupHours ?? [])} placeholder=${t('weekday1')} ?disabled=${!this.canEdit} /></label>
          </fieldset>
          <div class="row"><label>${t('name')}<input name="name" .value=${c.name} required ?disabled=${!this.canEdit} /></label>
            <label>${t('timeZone')}<input name="timeZone" .value=${c.timeZone} required ?disabled=${!this.canEdit} /></label>
            <label class="row"><input type="checkbox" name="isDefault" ?checked=${c.isDefault} ?disabled=${!this.canEdit || c.isDefault} />${t('isDefault')}</label></div>
          <label>${t('holidays')} <span class="muted">(${t('datesHint')})</span><textarea name="holidays" .value=${c.holidays.join('\n')} rows="4" ?disabled=${!this.canEdit}></textarea></label>
          <label>${t('workingDays')} <span class="muted">(${t('datesHint')})</span><textarea name="workingDays" .value=${c.workingDays.join('\n')} rows="2" ?disabled=${!this.canEdit}></textarea></label>
          ${this.canEdit ? html`<sl-button type="submit" variant="primary">${t('save')}</sl-button>` : nothing}
        </form>`)}`;
  }
}

@customElement('cl-admin-sla')
export class AdminSla extends AdminSection {
  protected readonly query = `{ slaPolicies { id kind tierCode category firstResponseMinutes resolutionMinutes } tiers { code name } }`;
  protected editors = WORKFLOW_EDITORS;
  /** The policy loaded into the form (kind × tier × category is its key). */
  @state() private draft: any = null;

  protected renderBody(d: any) {
    const p = this.draft;
    const set = this.submit((f) => this.mutate(`mutation($input: SetSlaPolicyInput!) { setSlaPolicy(input: $input) { ${RESULT} } }`, {
      kind: str(f, 'kind'), tierCode: nullable(f, 'tierCode'), category: nullable(f, 'category'),
      firstResponseMinutes: Number(f.get('firstResponseMinutes')), resolutionMinutes: Number(f.get('resolutionMinutes')),
    }));
    const mins = (m: number) => `${m} (${(m / 60).toFixed(m % 60 ? 1 : 0)} h)`;
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${set} aria-labelledby="set-sla" data-testid="sla-form">
        <h2 id="set-sla">${t('setPolicy')}</h2>
        <div class="row">
          <label>${t('kind')}<select name="kind">${KINDS.map((k) => html`<option value=${k} ?selected=${p?.kind === k}>${t(k)}</option>`)}</select></label>
          <label>${t('tier')}<select name="tierCode"><option value="">${t('anyValue')}</option>${d.tiers.map((x: any) => html`<option value=${x.code} ?selected=${p?.tierCode === x.code}>${x.name}</option>`)}</select></label>
          <label>${t('category')}<input name="category" .value=${p?.category ?? ''} placeholder=${t('anyValue')} /></label>
          <label>${t('firstResponse')} (${t('minutes')})<input name="firstResponseMinutes" type="number" min="1" step="1" required .value=${String(p?.firstResponseMinutes ?? 1440)} /></label>
          <label>${t('resolution')} (${t('minutes')})<input name="resolutionMinutes" type="number" min="1" step="1" required .value=${String(p?.resolutionMinutes ?? 1620)} /></label>
        </div>
        <sl-button type="submit" variant="primary">${t('save')}</sl-button></form>` : nothing}
      <table data-testid="sla-policies"><thead><tr>${['kind', 'tier', 'category', 'firstResponse', 'resolution'].map((h) => html`<th scope="col">${t(h)}</th>`)}
        <th scope="col"><span class="visually-hidden">${t('action')}</span></th></tr></thead>
        <tbody>${d.slaPolicies.map((x: any) => html`<tr data-policy="${x.kind}:${x.tierCode ?? '*'}:${x.category ?? '*'}"><td>${t(x.kind)}</td><td>${x.tierCode ?? t('anyValue')}</td><td>${x.category ?? t('anyValue')}</td>
          <td>${mins(x.firstResponseMinutes)}</td><td>${mins(x.resolutionMinutes)}</td>
          <td class="row">${this.canEdit ? html`<sl-button size="small" @click=${() => (this.draft = { ...x })}>${t('edit')}</sl-button>
            <sl-button size="small" variant="danger" outline @click=${() => this.mutate(`mutation($input: DeleteSlaPolicyInput!) { deleteSlaPolicy(input: $input) { ${RESULT} } }`, { id: x.id })}>${t('delete')}</sl-button>` : nothing}</td></tr>`)}</tbody></table>`;
  }
}

interface Rule {
  id: string; name: string; position: number; enabled: boolean; isDefault: boolean; level: string; priority: string;
  department: { id: string; name: string }; match: { kinds: string[]; categories: string[]; keywords: string[]; tiers: string[]; channels: string[] };
}

@customElement('cl-admin-routing')
export class AdminRouting extends AdminSection {
  protected readonly query = `{ routingRules { id name position enabled isDefault level priority department { id name } match { kinds categories keywords tiers channels } }
    departments { id name } tiers { code name } }`;
  protected editors = WORKFLOW_EDITORS;
  /** The rule in the editor: an existing one, or 'new'. */
  @state() private editing: Rule | 'new' | null = null;
  /** The last try of the draft on the sample; cleared by any change to the draft, and saving needs one. */
  @state() private test: { draftMatches: boolean | null; rule: { name: string } | null } | null = null;

  private matchOf(f: FormData) {
    return {
      kinds: f.getAll('kinds').map(String), channels: f.getAll('channels').map(String), tiers: f.getAll('tiers').map(String),
      categories: list(f.get('categories')), keywords: list(f.get('keywords')),
    };
  }

  private async tryDraft(form: HTMLFormElement) {
    const f = new FormData(form);
    if (!str(f, 'content')) {
      form.querySelector<HTMLTextAreaElement>('textarea[name=content]')?.reportValidity();
      return;
    }
    try {
      const d = await gql(`query($sample: RoutingSampleInput!, $match: RoutingMatchInput) { testRouting(sample: $sample, match: $match) { draftMatches rule { name } } }`, {
        sample: { kind: str(f, 'sampleKind'), content: str(f, 'content'), category: nullable(f, 'sampleCategory'), tierCode: nullable(f, 'sampleTier'), channel: nullable(f, 'sampleChannel') },
        match: this.editing ? this.matchOf(f) : null,
      });
      this.test = d.testRouting;
    } catch (e) {
      this.message = (e as Error).message;
    }
  }

  private async save(form: HTMLFormElement) {
    const f = new FormData(form);
    const rule = this.editing;
    if (!rule || !this.test) return;
    const input = {
      name: str(f, 'name'), departmentId: str(f, 'department'), level: str(f, 'level'), priority: str(f, 'priority'),
      enabled: f.get('enabled') === 'on', ...(rule !== 'new' && rule.isDefault ? {} : { match: this.matchOf(f) }),
    };
    const ok = rule === 'new'
      ? await this.mutate(`mutation($input: CreateRoutingRuleInput!) { createRoutingRule(input: $input) { ${RESULT} } }`, input)
      : await this.mutate(`mutation($input: UpdateRoutingRuleInput!) { updateRoutingRule(input: $input) { ${RESULT} } }`, { id: rule.id, ...input });
    if (ok) {
      this.editing = null;
      this.test = null;
    }
  }

  /** Swaps a rule with its neighbour (the default rule stays last). */
  private async move(rules: Rule[], i: number, by: -1 | 1) {
    const a = rules[i]!;
    const b = rules[i + by]!;
    const update = `mutation($input: UpdateRoutingRuleInput!) { updateRoutingRule(input: $input) { ${RESULT} } }`;
    const [pa, pb] = a.position === b.position ? [b.position + by, a.position] : [b.position, a.position];
    await this.mutateAll([[update, { id: a.id, position: pa }], [update, { id: b.id, position: pb }]]);
  }

  private summary(r: Rule) {
    const m = r.match;
    const parts = [
      m.kinds.length ? m.kinds.map((k) => t(k)).join('/') : '', m.channels.join('/'), m.tiers.join('/'),
      m.categories.length ? `${t('category')}: ${m.categories.join(', ')}` : '', m.keywords.length ? `“${m.keywords.join('”, “')}”` : '',
    ].filter(Boolean);
    return parts.length ? parts.join(' · ') : t('anyValue');
  }

  protected renderBody(d: any) {
    const rules = d.routingRules as Rule[];
    const movable = rules.filter((r) => !r.isDefault);
    return html`
      <p class="muted">${t('firstMatchWins')}</p>
      <ol class="rules" data-testid="routing-rules">${rules.map((r, i) => html`
        <li class=${r.enabled ? '' : 'off'} data-rule=${r.name}>
          <strong>${i + 1}</strong>
          <div><div>${r.name} → ${r.department.name} · ${r.level} · ${t(r.priority)} ${r.enabled ? '' : `(${t('disable')})`}</div>
            <div class="muted">${t('match')}: ${this.summary(r)}</div></div>
          <div class="row">${this.canEdit ? html`
            ${!r.isDefault ? html`
              <sl-button size="small" ?disabled=${i === 0} @click=${() => this.move(rules, i, -1)}>${t('moveUp')}</sl-button>
              <sl-button size="small" ?disabled=${i >= movable.length - 1} @click=${() => this.move(rules, i, 1)}>${t('moveDown')}</sl-button>` : nothing}
            <sl-button size="small" data-action="edit" @click=${() => ((this.editing = r), (this.test = null))}>${t('edit')}</sl-button>
            ${!r.isDefault ? html`<sl-button size="small" variant="danger" outline
              @click=${() => this.mutate(`mutation($input: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $input) { ${RESULT} } }`, { id: r.id })}>${t('delete')}</sl-button>` : nothing}` : nothing}</div>
        </li>`)}</ol>
      ${this.canEdit && !this.editing ? html`<div><sl-button data-action="new-rule" @click=${() => ((this.editing = 'new'), (this.test = null))}>${t('newRule')}</sl-button></div>` : nothing}
      ${this.renderEditor(d)}`;
  }

  private renderEditor(d: any) {
    const r = this.editing === 'new' ? null : this.editing;
    const m = r?.match;
    return html`
      <form class="card stack" data-testid="routing-editor" aria-labelledby="rule-title" @input=${() => (this.test = null)} @change=${() => (this.test = null)}
        @submit=${(e: Event) => { e.preventDefault(); void this.save(e.target as HTMLFormElement); }}>
        <h2 id="rule-title">${this.editing ? (r ? `${t('editRule')}: ${r.name}` : t('newRule')) : t('testRule')}</h2>
        ${this.editing ? html`
          <div class="row">
            <label>${t('name')}<input name="name" .value=${r?.name ?? ''} required /></label>
            <label>${t('department')}<select name="department" required>${d.departments.map((x: any) => html`<option value=${x.id} ?selected=${r?.department.id === x.id}>${x.name}</option>`)}</select></label>
            <label>${t('level')}<select name="level">${LEVELS.map((l) => html`<option ?selected=${(r?.level ?? 'L1') === l}>${l}</option>`)}</select></label>
            <label>${t('priority')}<select name="priority">${PRIORITIES.map((p) => html`<option value=${p} ?selected=${(r?.priority ?? 'NORMAL') === p}>${t(p)}</option>`)}</select></label>
            <label class="row"><input type="checkbox" name="enabled" ?checked=${r?.enabled ?? true} />${t('enabled')}</label>
          </div>
          ${r?.isDefault ? nothing : html`<fieldset class="stack"><legend>${t('match')}</legend>
            <div>${t('kinds')}${this.checks('kinds', KINDS, m?.kinds)}</div>
            <div>${t('channelsMatch')}${this.checks('channels', CHANNELS, m?.channels, (c) => c)}</div>
            <div>${t('tiersMatch')}${this.checks('tiers', d.tiers.map((x: any) => x.code), m?.tiers, (c) => c)}</div>
            <div class="row"><label>${t('keywords')}<input name="keywords" .value=${m?.keywords.join(', ') ?? ''} /></label>
              <label>${t('categories')}<input name="categories" .value=${m?.categories.join(', ') ?? ''} /></label></div>
          </fieldset>`}` : nothing}
        <fieldset class="stack"><legend>${t('testRule')}</legend>
          <div class="row">
            <label>${t('kind')}<select name="sampleKind">${KINDS.map((k) => html`<option value=${k}>${t(k)}</option>`)}</select></label>
            <label>${t('channel')}<select name="sampleChannel"><option value="">—</option>${CHANNELS.map((c) => html`<option>${c}</option>`)}</select></label>
            <label>${t('tier')}<select name="sampleTier"><option value="">—</option>${d.tiers.map((x: any) => html`<option value=${x.code}>${x.name}</option>`)}</select></label>
            <label>${t('category')}<input name="sampleCategory" /></label>
          </div>
          <label>${t('sampleContent')}<textarea name="content"></textarea></label>
        </fieldset>
        <div class="row">
          <sl-button data-action="test" @click=${(e: Event) => this.tryDraft((e.target as HTMLElement).closest('form')!)}>${t('testRule')}</sl-button>
          ${this.editing ? html`<sl-button type="submit" variant="primary" ?disabled=${!this.test} data-action="save-rule">${t('saveRule')}</sl-button>
            <sl-button @click=${() => ((this.editing = null), (this.test = null))}>${t('cancel')}</sl-button>
            ${this.test ? nothing : html`<span class="muted">${t('testFirst')}</span>`}` : nothing}
        </div>
        ${this.test ? html`<p role="status" data-testid="routing-result">${t('matchesRule')}: <strong>${this.test.rule?.name ?? '—'}</strong>
          ${this.test.draftMatches != null ? html` · <span data-testid="draft-result">${this.test.draftMatches ? `✔ ${t('draftMatches')}` : `✘ ${t('draftNoMatch')}`}</span>` : nothing}</p>` : nothing}
      </form>`;
  }
}
