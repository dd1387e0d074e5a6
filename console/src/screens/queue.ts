// The queue: filters, saved views with counts, search, SLA countdowns, live changes, keyboard
// navigation, and a virtualised list (only the visible rows are in the page, so 10,000 stay fast).
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state, query } from 'lit/decorators.js';
import '@lit-labs/virtualizer';
import type { LitVirtualizer } from '@lit-labs/virtualizer';
import { gql, failure, type Me } from '../api.ts';
import { countdown, formatTime, t } from '../i18n.ts';
import { QUEUE } from '../documents.ts';
import { TICKET_ROW, onTick, onTicketEvent, type TicketRow } from '../live.ts';
import { shared } from '../styles.ts';

const OPEN = ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER'];
const STATUSES = [...OPEN, 'RESOLVED', 'CLOSED'];
const KINDS = ['COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY'];
const CHANNELS = ['WEB', 'APP', 'MINI_PROGRAM', 'BRANCH', 'PHONE', 'EMAIL', 'SOCIAL', 'SELF_SERVICE_TERMINAL', 'PARTNER'];
const SLA_STATES = ['ON_TRACK', 'AT_RISK', 'PAUSED', 'BREACHED', 'MET'];
const PAGE = 100; // the API's largest page

interface Filter {
  status?: string[]; kind?: string[]; channel?: string[]; tier?: string[]; departmentId?: string | null;
  assigneeId?: string | null; unassigned?: boolean | null; slaBreached?: boolean | null; slaState?: string[];
}
interface SavedView { id: string; name: string; count: number; orderBy: string; filter: Filter }

const SEARCH = `query($q: String!, $first: Int!, $after: String, $filter: TicketFilter) {
  searchTickets(query: $q, first: $first, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } edges { node { ${TICKET_ROW} } } } }`;
const REFERENCE = `{ departments { id code name } tiers { code name } savedViews { id name count orderBy filter { status kind channel tier departmentId assigneeId unassigned slaBreached slaState } } }`;
const ASSIGN = `mutation($input: AssignTicketInput!) { assignTicket(input: $input) { __typename ... on TicketPayload { ticket { ${TICKET_ROW} } } ... on Error { code message } } }`;
const BULK_ASSIGN = `mutation($input: BulkAssignTicketsInput!) { bulkAssignTickets(input: $input) { __typename ... on BulkAssignTicketsPayload { tickets { ${TICKET_ROW} } } ... on Error { code message } } }`;
const MERGE = `mutation($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename ... on Error { code message } ... on ValidationError { fieldErrors { path message } } } }`;
const SAVE_VIEW = `mutation($input: SaveQueueViewInput!) { saveQueueView(input: $input) { __typename ... on SavedView { id } ... on Error { code message } ... on ValidationError { fieldErrors { path message } } } }`;

/** Whether a ticket as it is now belongs in the list the filter describes (for live changes). */
function matches(f: Filter, r: TicketRow, me: Me): boolean {
  if (f.status?.length && !f.status.includes(r.status)) return false;
  if (f.kind?.length && !f.kind.includes(r.kind)) return false;
  if (f.channel?.length && !f.channel.includes(r.channel)) return false;
  if (f.tier?.length && !f.tier.includes(r.customer?.tier?.code ?? '')) return false;
  if (f.departmentId && r.department?.id !== f.departmentId) return false;
  if (f.assigneeId && r.assignee?.id !== (f.assigneeId === 'me' ? me.id : f.assigneeId)) return false;
  if (f.unassigned && r.assignee) return false;
  if (f.slaState?.length && !f.slaState.includes(r.slaState ?? '')) return false;
  if (f.slaBreached != null && f.slaBreached !== Boolean(r.resolutionBreachedAt || r.firstResponseBreachedAt)) return false;
  return true;
}

const dueKey = (r: TicketRow) => (r.resolutionDueAt ? Date.parse(r.resolutionDueAt) : Number.MAX_SAFE_INTEGER);

@customElement('cl-queue')
export class Queue extends LitElement {
  static styles = [shared, css`
    :host { display: grid; grid-template-columns: minmax(12rem, 16rem) 1fr; gap: var(--sl-spacing-medium); }
    @media (max-width: 800px) { :host { grid-template-columns: 1fr; } }
    aside { display: grid; gap: var(--sl-spacing-small); align-content: start; }
    .views button { display: flex; justify-content: space-between; width: 100%; font: inherit; padding: 0.4rem 0.6rem; background: none;
      border: 1px solid transparent; border-radius: 4px; cursor: pointer; color: inherit; }
    .views button[aria-pressed='true'] { background: var(--sl-color-primary-50); border-color: var(--sl-color-primary-300); }
    .views button:focus-visible { outline: 2px solid var(--sl-color-primary-600); }
    .toolbar { display: flex; flex-wrap: wrap; gap: var(--sl-spacing-small); align-items: end; margin-bottom: var(--sl-spacing-small); }
    .toolbar input[type='search'] { min-width: min(22rem, 100%); }
    lit-virtualizer { height: calc(100vh - 15rem); min-height: 20rem; border: 1px solid var(--sl-color-neutral-200); border-radius: 6px; }
    lit-virtualizer:focus-visible { outline: 2px solid var(--sl-color-primary-600); }
    .item { display: grid; grid-template-columns: 9rem 1fr 8rem 9rem 11rem; gap: 0.5rem; width: 100%; box-sizing: border-box;
      padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--sl-color-neutral-100); cursor: pointer; align-items: center; }
    @media (max-width: 800px) { .item { grid-template-columns: 1fr 1fr; } .item .content { grid-column: 1 / -1; } }
    .item.current { background: var(--sl-color-primary-50); box-shadow: inset 3px 0 var(--sl-color-primary-600); }
    .item[aria-selected='true'] { outline: 2px dashed var(--sl-color-primary-700); outline-offset: -2px; }
    .item[aria-selected='true'] .code::before { content: '✔ '; }
    .bulk { padding: 0.4rem; background: var(--sl-color-primary-50); border-radius: 4px; margin-bottom: 0.4rem; }
    .code { font-family: var(--sl-font-mono); font-size: var(--sl-font-size-small); }
    .content { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .chips { display: flex; gap: 0.25rem; flex-wrap: wrap; }
    .chip { font-size: var(--sl-font-size-x-small); padding: 0.05rem 0.4rem; border-radius: 999px; background: var(--sl-color-neutral-100); color: var(--sl-color-neutral-800); }
    .chip.URGENT, .chip.BREACHED { background: var(--sl-color-danger-100); color: var(--sl-color-danger-800); }
    .chip.HIGH, .chip.AT_RISK { background: var(--sl-color-warning-100); color: var(--sl-color-warning-900); }
    .chip.tier { background: var(--sl-color-violet-100); color: var(--sl-color-violet-900); }
    summary { cursor: pointer; font-weight: var(--sl-font-weight-semibold); }
    fieldset { border: 0; padding: 0; margin: 0; display: grid; gap: var(--sl-spacing-x-small); }
    select[multiple] { min-height: 5.5rem; }
  `];

  @property({ attribute: false }) me!: Me;
  @state() private rows: TicketRow[] = [];
  @state() private filter: Filter = { status: OPEN };
  @state() private orderBy = 'DUE_SOONEST';
  @state() private search = '';
  @state() private selected = 0;
  @state() private loading = false;
  @state() private views: SavedView[] = [];
  @state() private activeView: string | null = null;
  @state() private departments: Array<{ id: string; code: string; name: string }> = [];
  @state() private tiers: Array<{ code: string; name: string }> = [];
  @state() private now = Date.now();
  @state() private message = '';
  /** Tickets marked for a bulk action (x or Space), by id. */
  @state() private marked = new Set<string>();
  @query('lit-virtualizer') private list!: LitVirtualizer;
  @query('#search') private searchInput!: HTMLInputElement;
  private next: string | null = null;
  /** The last row index the list showed (rangeChanged). */
  private lastShown = -1;
  private generation = 0;
  private stops: Array<() => void> = [];

  connectedCallback(): void {
    super.connectedCallback();
    this.stops.push(onTick(() => (this.now = Date.now())), onTicketEvent((e) => this.onLive(e.feedback.ticket)));
    window.addEventListener('keydown', this.onKey);
    void this.loadReference();
    void this.reload();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stops.forEach((s) => s());
    window.removeEventListener('keydown', this.onKey);
  }

  private get readOnly() {
    return this.me.role === 'AUDITOR';
  }

  private async loadReference() {
    const d = await gql(REFERENCE).catch(() => null);
    if (!d) return;
    this.departments = d.departments;
    this.tiers = d.tiers;
    this.views = d.savedViews;
  }

  private apiFilter(): Record<string, unknown> {
    const f = { ...this.filter };
    if (f.assigneeId === 'me') f.assigneeId = this.me.id;
    return Object.fromEntries(Object.entries(f).filter(([, v]) => v != null && v !== '' && (!Array.isArray(v) || v.length)));
  }

  /** First page now; further pages as the list is scrolled towards its end. */
  private async reload() {
    const gen = ++this.generation;
    this.loading = true;
    this.next = null;
    try {
      const page = await this.fetchPage(null);
      if (gen !== this.generation) return;
      this.rows = page.rows;
      this.next = page.next;
      this.selected = Math.min(this.selected, Math.max(0, this.rows.length - 1));
    } catch (e) {
      this.message = (e as Error).message;
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }

  private async fetchPage(after: string | null): Promise<{ rows: TicketRow[]; next: string | null }> {
    const vars = { first: PAGE, after, filter: this.apiFilter() };
    const q = this.search.trim();
    const d = q ? (await gql(SEARCH, { ...vars, q })).searchTickets : (await gql(QUEUE, { ...vars, orderBy: this.orderBy })).tickets;
    return { rows: d.edges.map((e: { node: TicketRow }) => e.node), next: d.pageInfo.hasNextPage ? d.pageInfo.endCursor : null };
  }

  private async more() {
    if (!this.next || this.loading) return;
    const gen = this.generation;
    this.loading = true;
    try {
      const page = await this.fetchPage(this.next);
      if (gen !== this.generation) return;
      const seen = new Set(this.rows.map((r) => r.id));
      this.rows = [...this.rows, ...page.rows.filter((r) => !seen.has(r.id))];
      this.next = page.next;
    } catch (e) {
      if (gen === this.generation) this.message = (e as Error).message;
      return;
    } finally {
      if (gen === this.generation) this.loading = false;
    }
    // Scrolled to the end while this page was loading: the range may not change again, so go on.
    if (this.lastShown > this.rows.length - 30) void this.more();
  }

  /** A live event: the ticket as it is now enters, changes in place, or leaves the list. */
  private onLive(row: TicketRow) {
    const i = this.rows.findIndex((r) => r.id === row.id);
    const fits = !this.search && matches(this.filter, row, this.me);
    if (i >= 0) {
      this.rows = fits ? this.rows.map((r, j) => (j === i ? row : r)) : this.rows.filter((_, j) => j !== i);
    } else if (fits) {
      const rows = [...this.rows];
      const at = this.orderBy === 'DUE_SOONEST' ? rows.findIndex((r) => dueKey(r) > dueKey(row)) : this.orderBy === 'RECEIVED_DESC' ? 0 : -1;
      rows.splice(at < 0 ? rows.length : at, 0, row);
      this.rows = rows;
    }
  }

  private onKey = (e: KeyboardEvent) => {
    const target = e.composedPath()[0] as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) || target.closest?.('sl-dialog')) return;
    if (e.key === '/') {
      e.preventDefault();
      this.searchInput.focus();
    } else if (e.key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      this.move(1);
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.move(-1);
    } else if (e.key === 'Enter' && this.rows[this.selected] && target.tagName !== 'SL-BUTTON' && target.tagName !== 'BUTTON' && target.tagName !== 'A') {
      e.preventDefault();
      this.openTicket(this.rows[this.selected]!);
    } else if (e.key === 'a' && !this.readOnly && this.rows[this.selected]) {
      e.preventDefault();
      void this.assignToMe(this.rows[this.selected]!);
    } else if ((e.key === 'x' || (e.key === ' ' && /^(LIT-VIRTUALIZER|BODY)$/.test(target.tagName))) && !this.readOnly && this.rows[this.selected]) {
      e.preventDefault();
      this.toggleMark(this.rows[this.selected]!.id);
    }
  };

  private move(by: number) {
    if (!this.rows.length) return;
    this.selected = Math.max(0, Math.min(this.rows.length - 1, this.selected + by));
    this.list?.element(this.selected)?.scrollIntoView({ block: 'nearest' });
    if (this.selected > this.rows.length - 20) void this.more();
  }

  private openTicket(r: TicketRow) {
    location.hash = `#/ticket/${encodeURIComponent(r.id)}`;
  }

  private async assignToMe(r: TicketRow) {
    const d = await gql(ASSIGN, { input: { ticketId: r.id, assigneeId: this.me.id } });
    const err = failure(d.assignTicket);
    if (err) this.message = err;
    else {
      this.message = `${r.feedback[0]?.trackingCode ?? ''} → ${this.me.name}`;
      this.onLive(d.assignTicket.ticket);
    }
  }

  private toggleMark(id: string) {
    const next = new Set(this.marked);
    if (next.has(id)) next.delete(id);
    else if (next.size < 100) next.add(id);
    this.marked = next;
  }

  /** Bulk assignment (to me, or unassigned): all marked tickets or none (bulkAssignTickets). */
  private async bulkAssign(assigneeId: string | null) {
    const d = await gql(BULK_ASSIGN, { input: { ticketIds: [...this.marked], assigneeId } });
    const err = failure(d.bulkAssignTickets);
    this.message = err ?? `${this.marked.size} ✔`;
    if (!err) {
      for (const r of d.bulkAssignTickets.tickets) this.onLive(r);
      this.marked = new Set();
    }
  }

  /** Merges the other marked tickets into the first marked one (mergeTickets). */
  private async bulkMerge() {
    const [target, ...sources] = this.rows.filter((r) => this.marked.has(r.id));
    if (!target || !sources.length) return;
    const d = await gql(MERGE, { input: { ticketId: target.id, sourceTicketIds: sources.map((r) => r.id) } });
    const err = failure(d.mergeTickets);
    this.message = err ?? `${sources.length + 1} → ${target.feedback[0]?.trackingCode}`;
    if (!err) {
      this.marked = new Set();
      await this.reload();
    }
  }

  private setFilter(patch: Partial<Filter>) {
    this.filter = { ...this.filter, ...patch };
    this.activeView = null;
    void this.reload();
  }

  private applyView(v: SavedView | null) {
    this.activeView = v?.id ?? null;
    this.filter = v ? { ...v.filter } : { status: OPEN };
    this.orderBy = v?.orderBy ?? 'DUE_SOONEST';
    void this.reload();
  }

  private async saveView() {
    const name = prompt(t('viewName'))?.trim();
    if (!name) return;
    const d = await gql(SAVE_VIEW, { input: { name, filter: this.apiFilter(), orderBy: this.orderBy } });
    const err = failure(d.saveQueueView);
    this.message = err ?? t('saved');
    if (!err) await this.loadReference();
  }

  private multi(e: Event): string[] {
    return [...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value);
  }

  render() {
    const f = this.filter;
    return html`
      <aside aria-label=${t('filters')}>
        <h2>${t('views')}</h2>
        <div class="views" role="group" aria-label=${t('views')}>
          <button aria-pressed=${this.activeView === null ? 'true' : 'false'} @click=${() => this.applyView(null)}>${t('allOpen')}</button>
          ${this.views.map((v) => html`<button aria-pressed=${this.activeView === v.id ? 'true' : 'false'} @click=${() => this.applyView(v)}>
            <span>${v.name}</span><sl-badge variant="neutral" pill>${v.count}</sl-badge></button>`)}
        </div>
        ${this.readOnly ? nothing : html`<sl-button size="small" @click=${this.saveView}>${t('saveView')}</sl-button>`}
        <!-- Collapsed on a phone, so the list starts near the top of the screen. -->
        <details ?open=${window.innerWidth > 800}><summary>${t('filters')}</summary>
        <fieldset>
          <legend class="visually-hidden">${t('filters')}</legend>
          <label>${t('status')}<select multiple @change=${(e: Event) => this.setFilter({ status: this.multi(e) })}>
            ${STATUSES.map((s) => html`<option value=${s} ?selected=${f.status?.includes(s)}>${t(s)}</option>`)}</select></label>
          <label>${t('kind')}<select multiple @change=${(e: Event) => this.setFilter({ kind: this.multi(e) })}>
            ${KINDS.map((s) => html`<option value=${s} ?selected=${f.kind?.includes(s)}>${t(s)}</option>`)}</select></label>
          <label>${t('channel')}<select multiple @change=${(e: Event) => this.setFilter({ channel: this.multi(e) })}>
            ${CHANNELS.map((s) => html`<option value=${s} ?selected=${f.channel?.includes(s)}>${s}</option>`)}</select></label>
          <label>${t('tier')}<select multiple @change=${(e: Event) => this.setFilter({ tier: this.multi(e) })}>
            ${this.tiers.map((s) => html`<option value=${s.code} ?selected=${f.tier?.includes(s.code)}>${s.name}</option>`)}</select></label>
          <label>${t('department')}<select @change=${(e: Event) => this.setFilter({ departmentId: (e.target as HTMLSelectElement).value || null })}>
            <option value="">${t('anyone')}</option>
            ${this.departments.map((d) => html`<option value=${d.id} ?selected=${f.departmentId === d.id}>${d.name}</option>`)}</select></label>
          <label>${t('assignee')}<select data-testid="assignee-filter" @change=${(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            this.setFilter({ assigneeId: v === 'me' ? 'me' : null, unassigned: v === 'none' ? true : null });
          }}>
            <option value="">${t('anyone')}</option><option value="me" ?selected=${f.assigneeId === 'me'}>${t('me')}</option>
            <option value="none" ?selected=${Boolean(f.unassigned)}>${t('unassigned')}</option></select></label>
          <label>${t('slaState')}<select multiple data-testid="sla-filter" @change=${(e: Event) => this.setFilter({ slaState: this.multi(e) })}>
            ${SLA_STATES.map((s) => html`<option value=${s} ?selected=${f.slaState?.includes(s)}>${t(s)}</option>`)}</select></label>
          <label class="row"><input type="checkbox" .checked=${Boolean(f.slaBreached)}
            @change=${(e: Event) => this.setFilter({ slaBreached: (e.target as HTMLInputElement).checked ? true : null })} />${t('breachedOnly')}</label>
        </fieldset>
        </details>
      </aside>
      <section aria-labelledby="queue-title">
        <div class="toolbar">
          <h1 id="queue-title" class="visually-hidden">${t('queue')}</h1>
          <label>${t('search')}<input id="search" type="search" placeholder=${t('searchHint')} .value=${this.search}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (this.search = (e.target as HTMLInputElement).value, void this.reload())}
            @search=${(e: Event) => ((this.search = (e.target as HTMLInputElement).value), void this.reload())} /></label>
          <label>${t('sort')}<select @change=${(e: Event) => ((this.orderBy = (e.target as HTMLSelectElement).value), void this.reload())}>
            <option value="DUE_SOONEST" ?selected=${this.orderBy === 'DUE_SOONEST'}>${t('dueSoonest')}</option>
            <option value="RECEIVED_DESC" ?selected=${this.orderBy === 'RECEIVED_DESC'}>${t('newest')}</option>
            <option value="RECEIVED_ASC" ?selected=${this.orderBy === 'RECEIVED_ASC'}>${t('oldest')}</option></select></label>
          <span class="muted" role="status" data-testid="queue-count">${this.loading ? t('loading') : `${this.rows.length}${this.next ? '+' : ''} ${t('ticketsLoaded')}`}</span>
          <span class="muted" role="status">${this.message}</span>
        </div>
        <p class="muted">${t('shortcuts')}</p>
        ${this.marked.size ? html`<div class="row bulk" role="group" aria-label=${t('bulk')} data-testid="bulk">
          <span>${this.marked.size} ${t('marked')}</span>
          <sl-button size="small" @click=${() => this.bulkAssign(this.me.id)}>${t('assignToMe')}</sl-button>
          <sl-button size="small" @click=${() => this.bulkAssign(null)}>${t('unassigned')}</sl-button>
          ${this.marked.size > 1 ? html`<sl-button size="small" @click=${this.bulkMerge}>${t('merge')}</sl-button>` : nothing}
          <sl-button size="small" variant="text" @click=${() => (this.marked = new Set())}>${t('cancel')}</sl-button>
        </div>` : nothing}
        ${this.rows.length === 0 && !this.loading ? html`<p>${t('noTickets')}</p>` : nothing}
        <lit-virtualizer scroller role="listbox" aria-multiselectable="true" tabindex="0" aria-label=${t('queue')} data-testid="queue-list"
          aria-activedescendant=${this.rows[this.selected] ? `row-${this.selected}` : nothing}
          .items=${this.rows}
          .renderItem=${(r: TicketRow, i: number) => this.renderRow(r, i)}
          @rangeChanged=${(e: { last: number }) => {
            this.lastShown = e.last;
            if (e.last > this.rows.length - 30) void this.more();
          }}></lit-virtualizer>
      </section>
    `;
  }

  private renderRow(r: TicketRow, i: number) {
    const due = countdown(r.firstRespondedAt ? r.resolutionDueAt : (r.firstResponseDueAt ?? r.resolutionDueAt), this.now);
    const sla = r.slaState ?? '';
    return html`<div class="item ${i === this.selected ? 'current' : ''}" role="option" id="row-${i}" aria-selected=${this.marked.has(r.id) ? 'true' : 'false'} data-ticket=${r.id}
        @click=${() => ((this.selected = i), this.openTicket(r))}>
      <div><div class="code">${r.feedback[0]?.trackingCode}</div><div class="muted">${formatTime(r.receivedAt)}</div></div>
      <div class="content"><div>${r.customer?.name ?? '—'} ${r.customer?.tier ? html`<span class="chip tier">${r.customer.tier.code}</span>` : nothing}</div>
        <div class="muted content">${r.feedback[0]?.content}</div></div>
      <div class="chips"><span class="chip">${t(r.status)}</span><span class="chip">${t(r.kind)}</span>
        <span class="chip ${r.priority}">${t(r.priority)}</span><span class="chip">${r.level}</span></div>
      <div class="muted">${r.department?.code ?? ''}<br />${r.assignee?.name ?? t('unassigned')}</div>
      <div class="${due.overdue ? 'overdue' : sla === 'AT_RISK' ? 'at-risk' : ''}">${sla ? html`<span class="chip ${sla}">${t(sla)}</span>` : nothing} ${due.text}</div>
    </div>`;
  }
}
