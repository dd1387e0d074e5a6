// The ticket: customer card, the full timeline (PUBLIC, INTERNAL and the customer's own messages kept
// apart), reply or note with templates, the allowed transitions only, assign, escalate, priority,
// re-classification, merge and unlink, collaborators, and the SLA panel. Live through ticketEvents.
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { gql, failure, type Me } from '../api.ts';
import { countdown, formatTime, locale, t } from '../i18n.ts';
import { onTick, onTicketEvent } from '../live.ts';
import { shared } from '../styles.ts';
import { TICKET } from '../documents.ts';
import './ticket-actions.ts';
import './customer-card.ts';

/** What the ticket screen reads beside the compiled TICKET document (documents.ts), merged into one view. */
const PANEL = `query ConsoleTicketPanel($id: ID!) {
  node(id: $id) { ... on Ticket {
    id mergedInto { id }
    sla { state firstResponseState resolutionState firstResponseDueAt resolutionDueAt firstResponseWarnAt resolutionWarnAt paused targets { firstResponseMinutes resolutionMinutes } }
    slaPauses { from to }
    collaborators { department { id code name } staff { id name } }
    customer { id phone email feedback(first: 10) { edges { node { trackingCode kind status receivedAt } } } }
    feedback { id contact { phone email } }
  } }
  staffMembers { id name role active department { code } }
  departments { id code name }
  replyTemplates { id name locale }
  tiers { code name }
}`;
const NOTE = `mutation($input: AddTicketNoteInput!) { addTicketNote(input: $input) { __typename ... on Error { code message } ... on ValidationError { fieldErrors { path message } } } }`;
const RENDER = `query($templateId: ID!, $ticketId: ID!) { renderReplyTemplate(templateId: $templateId, ticketId: $ticketId) }`;

export interface TicketView {
  id: string; status: string; kind: string; channel: string; priority: string; level: string; receivedAt: string;
  resolutionDueAt: string | null; firstResponseDueAt: string | null; firstRespondedAt: string | null;
  viewerCanChange: boolean; allowedTransitions: string[];
  department: { id: string; code: string; name: string } | null; assignee: { id: string; name: string } | null; mergedInto: { id: string } | null;
  sla: null | { state: string; firstResponseState: string; resolutionState: string; firstResponseDueAt: string; resolutionDueAt: string;
    firstResponseWarnAt: string; resolutionWarnAt: string; paused: boolean; targets: { firstResponseMinutes: number; resolutionMinutes: number } };
  slaPauses: Array<{ from: string; to: string | null }>;
  collaborators: Array<{ department: { id: string; code: string; name: string } | null; staff: { id: string; name: string } | null }>;
  customer: null | { id: string; name: string | null; phone: string | null; email: string | null; externalId: string;
    tier: { code: string; name: string } | null; accountManager: { id: string; name: string } | null;
    feedback: { edges: Array<{ node: { trackingCode: string; kind: string; status: string; receivedAt: string } }> } };
  feedback: Array<{ id: string; trackingCode: string; kind: string; content: string; category: string | null; tags: string[]; receivedAt: string;
    contact: { name: string | null; phone: string | null; email: string | null } }>;
  timeline: Array<{ id: string; type: string; visibility: string; actorType: string; actorName: string | null; body: string | null;
    createdAt: string; toStatus: string | null; feedback: { trackingCode: string };
    attachments: Array<{ id: string; filename: string; size: number; url: string; thumbnailUrl: string | null }> }>;
}
export interface Reference {
  staffMembers: Array<{ id: string; name: string; role: string; active: boolean; department: { code: string } | null }>;
  departments: Array<{ id: string; code: string; name: string }>;
  replyTemplates: Array<{ id: string; name: string; locale: string }>;
  tiers: Array<{ code: string; name: string }>;
}

/** The ticket from its two documents: contact details and the customer's other feedback join by id. */
function merged(core: any, panel: any): TicketView {
  const contacts = new Map<string, TicketView['feedback'][number]['contact']>(panel.feedback.map((f: any) => [f.id, f.contact]));
  return {
    ...core, ...panel,
    customer: core.customer && { ...core.customer, ...panel.customer },
    feedback: core.feedback.map((f: any) => ({ ...f, contact: { ...f.contact, ...contacts.get(f.id) } })),
  };
}

@customElement('cl-ticket')
export class TicketScreen extends LitElement {
  static styles = [shared, css`
    :host { display: grid; gap: var(--sl-spacing-medium); grid-template-columns: 1fr minmax(16rem, 22rem); }
    @media (max-width: 900px) { :host { grid-template-columns: 1fr; } }
    .card { padding: var(--sl-spacing-medium); }
    .head { grid-column: 1 / -1; display: grid; gap: var(--sl-spacing-x-small); }
    .code { font-family: var(--sl-font-mono); }
    ol.timeline { list-style: none; padding: 0; margin: 0; display: grid; gap: var(--sl-spacing-small); }
    .event { padding: var(--sl-spacing-small); border-radius: 6px; border-inline-start: 4px solid var(--sl-color-neutral-300); background: var(--sl-color-neutral-50); }
    .event.PUBLIC { border-color: var(--sl-color-primary-600); background: var(--sl-color-primary-50); }
    .event.INTERNAL { border-color: var(--sl-color-warning-600); background: var(--sl-color-warning-50); border-style: dashed; }
    .event.CUSTOMER { border-color: var(--sl-color-success-600); background: var(--sl-color-success-50); }
    .event .meta { display: flex; flex-wrap: wrap; gap: 0.5rem; font-size: var(--sl-font-size-x-small); color: var(--sl-color-neutral-700); }
    .vis { font-weight: var(--sl-font-weight-semibold); text-transform: uppercase; letter-spacing: 0.03em; }
    .body { white-space: pre-wrap; margin-top: 0.25rem; }
    textarea { width: 100%; box-sizing: border-box; min-height: 7rem; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 0.2rem 0.75rem; margin: 0; font-size: var(--sl-font-size-small); }
    dt { color: var(--sl-color-neutral-700); }
    dd { margin: 0; }
    a { color: var(--sl-color-primary-700); }
    .files { list-style: none; padding: 0; margin: 0.25rem 0 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
    .files img { display: block; max-width: 160px; max-height: 160px; border-radius: 4px; }
    .side { display: grid; gap: var(--sl-spacing-medium); align-content: start; }
  `];

  @property({ attribute: false }) me!: Me;
  @property() ticketId = '';
  @state() private ticket: TicketView | null = null;
  @state() private ref: Reference | null = null;
  @state() private error = '';
  @state() private message = '';
  @state() private draft = '';
  @state() private visibility: 'PUBLIC' | 'INTERNAL' = 'PUBLIC';
  @state() private now = Date.now();
  @state() private sending = false;
  private stops: Array<() => void> = [];

  connectedCallback(): void {
    super.connectedCallback();
    this.stops.push(
      onTick(() => (this.now = Date.now())),
      onTicketEvent((e) => e.feedback.ticket.id === this.ticketId && void this.load()),
    );
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stops.forEach((s) => s());
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('ticketId')) void this.load();
  }

  async load() {
    try {
      const [core, d] = await Promise.all([gql(TICKET, { id: this.ticketId }), gql(PANEL, { id: this.ticketId })]);
      this.ticket = core.node && d.node ? merged(core.node, d.node) : null;
      this.ref = { staffMembers: d.staffMembers, departments: d.departments, replyTemplates: d.replyTemplates, tiers: d.tiers };
      if (!this.ticket) this.error = 'Not found';
      else if (!this.ticket!.viewerCanChange) this.visibility = 'INTERNAL';
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private get isCollaborator() {
    const t = this.ticket!;
    return t.collaborators.some((c) => c.staff?.id === this.me.id || (c.department && c.department.id === this.me.department?.id));
  }

  private async useTemplate(e: Event) {
    // Read before awaiting: a shadow-tree event's target is cleared once dispatch ends.
    const select = e.target as HTMLSelectElement;
    const id = select.value;
    if (!id) return;
    const d = await gql(RENDER, { templateId: id, ticketId: this.ticketId });
    this.draft = d.renderReplyTemplate;
    select.value = '';
  }

  private async send(e: Event) {
    e.preventDefault();
    if (!this.draft.trim()) return;
    this.sending = true;
    try {
      const d = await gql(NOTE, { input: { ticketId: this.ticketId, body: this.draft, visibility: this.visibility } });
      const err = failure(d.addTicketNote);
      this.message = err ?? '';
      if (!err) {
        this.draft = '';
        await this.load();
      }
    } finally {
      this.sending = false;
    }
  }

  render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p><a href="#/queue">${t('back')}</a>`;
    const tk = this.ticket;
    if (!tk || !this.ref) return html`<p aria-busy="true">${t('loading')}</p>`;
    const canNote = this.me.role !== 'AUDITOR' && (tk.viewerCanChange || this.isCollaborator);
    const templates = this.ref.replyTemplates.filter((x) => x.locale === locale());
    return html`
      <section class="head card" aria-labelledby="ticket-title">
        <a href="#/queue">← ${t('back')}</a>
        <h1 id="ticket-title" class="code">${tk.feedback.map((f) => f.trackingCode).join(', ')}</h1>
        <div class="row" data-testid="ticket-status">
          <sl-badge variant="neutral">${t(tk.status)}</sl-badge>
          <span>${t(tk.kind)} · ${tk.channel}</span><span>${t('priority')}: ${t(tk.priority)}</span><span>${t('level')}: ${tk.level}</span>
          <span>${t('department')}: ${tk.department?.name ?? '—'}</span><span>${t('assignee')}: ${tk.assignee?.name ?? t('unassigned')}</span>
        </div>
        ${!tk.viewerCanChange ? html`<p class="notice" role="note">${t('readOnly')}</p>` : nothing}
        <span role="status" class="muted">${this.message}</span>
      </section>
      <div class="stack">
        <section class="card stack" aria-labelledby="content-title">
          <h2 id="content-title">${t('content')}</h2>
          ${tk.feedback.map((f) => html`<div>
            <div class="muted">${f.trackingCode} · ${formatTime(f.receivedAt)} · ${f.category ?? ''} ${f.tags.map((x) => html`<sl-tag size="small">${x}</sl-tag>`)}</div>
            <p class="body">${f.content}</p></div>`)}
        </section>
        ${tk.viewerCanChange ? html`<cl-ticket-actions .ticket=${tk} .ref=${this.ref} .me=${this.me}
          @changed=${(e: CustomEvent<string>) => ((this.message = e.detail), void this.load())}></cl-ticket-actions>` : nothing}
        ${canNote ? this.renderComposer(templates, tk.viewerCanChange) : nothing}
        <section class="card stack" aria-labelledby="timeline-title">
          <h2 id="timeline-title">${t('timeline')}</h2>
          <ol class="timeline" data-testid="timeline">${this.events(tk).map((e) => html`
            <li class="event ${e.actorType === 'CUSTOMER' ? 'CUSTOMER' : e.visibility}" data-visibility=${e.visibility}>
              <div class="meta"><span class="vis">${e.actorType === 'CUSTOMER' ? t('customerMessage') : e.visibility === 'PUBLIC' ? t('public') : t('internal')}</span>
                <span>${e.type}${e.toStatus ? ` → ${t(e.toStatus)}` : ''}</span><span>${e.actorName ?? e.actorType}</span>
                <time datetime=${e.createdAt}>${formatTime(e.createdAt)}</time></div>
              ${e.body ? html`<div class="body">${e.body}</div>` : nothing}
              ${e.attachments.length ? html`<ul class="files">${e.attachments.map((a) => html`<li><a href=${a.url} target="_blank" rel="noopener" download=${a.filename}
                >${a.thumbnailUrl ? html`<img src=${a.thumbnailUrl} alt=${a.filename} loading="lazy" />` : `${a.filename} (${Math.max(1, Math.round(a.size / 1024))} KB)`}</a></li>`)}</ul>` : nothing}
            </li>`)}</ol>
        </section>
      </div>
      <div class="side">
        ${this.renderSla(tk)}
        <cl-customer-card .ticket=${tk} .ref=${this.ref} .me=${this.me}
          @changed=${(e: CustomEvent<string>) => ((this.message = e.detail), void this.load())}></cl-customer-card>
        <section class="card stack" aria-labelledby="collab-title">
          <h2 id="collab-title">${t('collaborators')}</h2>
          <ul>${tk.collaborators.map((c) => html`<li>${c.department?.name ?? c.staff?.name}</li>`)}</ul>
        </section>
      </div>
    `;
  }

  /** One entry per change: a change to a merged ticket writes one event per linked feedback. */
  private events(tk: TicketView) {
    const seen = new Set<string>();
    return tk.timeline.filter((e) => {
      const key = `${e.type}|${e.createdAt}|${e.body ?? ''}|${e.actorName ?? ''}|${e.visibility}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private renderComposer(templates: Reference['replyTemplates'], canReply: boolean) {
    return html`<form class="card stack" @submit=${this.send} aria-labelledby="composer-title">
      <h2 id="composer-title">${canReply ? `${t('reply')} / ${t('note')}` : t('note')}</h2>
      <div class="row">
        ${canReply ? html`<label class="row"><input type="radio" name="vis" value="PUBLIC" .checked=${this.visibility === 'PUBLIC'}
          @change=${() => (this.visibility = 'PUBLIC')} />${t('reply')}</label>` : nothing}
        <label class="row"><input type="radio" name="vis" value="INTERNAL" .checked=${this.visibility === 'INTERNAL'}
          @change=${() => (this.visibility = 'INTERNAL')} />${t('note')}</label>
        <label>${t('template')}<select data-testid="template" @change=${this.useTemplate}>
          <option value="">${t('noTemplate')}</option>${templates.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select></label>
      </div>
      <label>${this.visibility === 'PUBLIC' ? t('reply') : t('note')}
        <textarea data-testid="composer" .value=${this.draft} @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}></textarea></label>
      <sl-button type="submit" variant="primary" ?loading=${this.sending} data-testid="send">${t('send')}</sl-button>
    </form>`;
  }

  private renderSla(tk: TicketView) {
    const s = tk.sla;
    const line = (label: string, due: string | null | undefined, state: string | undefined, done: boolean) => {
      const c = countdown(due, this.now);
      return html`<dt>${label}</dt><dd>${formatTime(due)} ${state ? html`<sl-tag size="small" variant=${state === 'BREACHED' ? 'danger' : state === 'AT_RISK' ? 'warning' : 'neutral'}>${t(state)}</sl-tag>` : nothing}
        ${done ? nothing : html`<div class=${c.overdue ? 'overdue' : ''}>${c.text}</div>`}</dd>`;
    };
    return html`<section class="card stack" aria-labelledby="sla-title" data-testid="sla">
      <h2 id="sla-title">${t('sla')}</h2>
      ${s ? html`<dl>
        ${line(t('firstResponse'), s.firstResponseDueAt, s.firstResponseState, Boolean(tk.firstRespondedAt))}
        ${line(t('resolution'), s.resolutionDueAt, s.resolutionState, tk.status === 'RESOLVED' || tk.status === 'CLOSED')}
        ${s.paused ? html`<dt>${t('paused')}</dt><dd>${t('AWAITING_CUSTOMER')}</dd>` : nothing}
      </dl>` : html`<p class="muted">${t('noSla')}</p>`}
    </section>`;
  }
}
