// The handling controls of a ticket; shown only to those who may handle it (never to auditors or
// collaborators). Each control is one mutation; the result's typed error is shown as it is.
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { RESULT as result, gql, mutate, type Me } from '../api.ts';
import { t } from '../i18n.ts';
import { shared } from '../styles.ts';
import type { Reference, TicketView } from './ticket.ts';

const M = {
  transition: `mutation($input: TransitionTicketInput!) { transitionTicket(input: $input) { ${result} } }`,
  assign: `mutation($input: AssignTicketInput!) { assignTicket(input: $input) { ${result} } }`,
  escalate: `mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { ${result} } }`,
  priority: `mutation($input: SetTicketPriorityInput!) { setTicketPriority(input: $input) { ${result} } }`,
  reclassify: `mutation($input: ReclassifyTicketInput!) { reclassifyTicket(input: $input) { ${result} } }`,
  addCollaborator: `mutation($input: TicketCollaboratorInput!) { addTicketCollaborator(input: $input) { ${result} } }`,
  removeCollaborator: `mutation($input: TicketCollaboratorInput!) { removeTicketCollaborator(input: $input) { ${result} } }`,
  merge: `mutation($input: MergeTicketsInput!) { mergeTickets(input: $input) { ${result} } }`,
  unlink: `mutation($input: UnlinkFeedbackInput!) { unlinkFeedback(input: $input) { ${result} } }`,
};
const FIND = `query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`;

@customElement('cl-ticket-actions')
export class TicketActions extends LitElement {
  static styles = [shared, css`
    :host { display: block; }
    .card { padding: var(--sl-spacing-medium); }
    details { border-top: 1px solid var(--sl-color-neutral-200); padding-top: var(--sl-spacing-x-small); }
    summary { cursor: pointer; font-weight: var(--sl-font-weight-semibold); padding: 0.25rem 0; }
    summary:focus-visible { outline: 2px solid var(--sl-color-primary-600); }
  `];

  @property({ attribute: false }) ticket!: TicketView;
  @property({ attribute: false }) ref!: Reference;
  @property({ attribute: false }) me!: Me;
  @state() private error = '';

  private async run(name: keyof typeof M, input: Record<string, unknown>, done: string) {
    this.error = '';
    const { error } = await mutate(M[name], input);
    if (error) this.error = error;
    else this.dispatchEvent(new CustomEvent('changed', { detail: done }));
  }

  private value(form: EventTarget | null, name: string): string {
    return String(new FormData(form as HTMLFormElement).get(name) ?? '').trim();
  }

  render() {
    const tk = this.ticket;
    const id = tk.id;
    const assignable = this.ref.staffMembers.filter((s) => s.active && s.role !== 'AUDITOR');
    const submit = (fn: (form: EventTarget | null) => void) => (e: Event) => {
      e.preventDefault();
      fn(e.target);
    };
    return html`<section class="card stack" aria-labelledby="actions-title" data-testid="actions">
      <h2 id="actions-title" class="visually-hidden">${t('moveTo')}</h2>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <div class="row" role="group" aria-label=${t('moveTo')}>
        <span class="muted">${t('moveTo')}:</span>
        ${tk.allowedTransitions.map((s) => html`<sl-button size="small" data-transition=${s}
          @click=${() => this.run('transition', { ticketId: id, status: s }, t(s))}>${t(s)}</sl-button>`)}
      </div>
      <form class="row" @submit=${submit((f) => this.run('assign', { ticketId: id, assigneeId: this.value(f, 'assignee') || null }, t('assignee')))}>
        <label>${t('assignee')}<select name="assignee">
          <option value="">${t('unassigned')}</option>
          ${assignable.map((s) => html`<option value=${s.id} ?selected=${tk.assignee?.id === s.id}>${s.name} (${s.role}${s.department ? ` · ${s.department.code}` : ''})</option>`)}
        </select></label>
        <sl-button size="small" type="submit">${t('save')}</sl-button>
        <sl-button size="small" data-testid="assign-me" @click=${() => this.run('assign', { ticketId: id, assigneeId: this.me.id }, t('assignToMe'))}>${t('assignToMe')}</sl-button>
      </form>
      <form class="row" @submit=${submit((f) => this.run('priority', { ticketId: id, priority: this.value(f, 'priority') }, t('priority')))}>
        <label>${t('priority')}<select name="priority">
          ${['LOW', 'NORMAL', 'HIGH', 'URGENT'].map((p) => html`<option value=${p} ?selected=${tk.priority === p}>${t(p)}</option>`)}</select></label>
        <sl-button size="small" type="submit">${t('save')}</sl-button>
      </form>
      <details><summary>${t('escalate')}</summary>
        <form class="row" @submit=${submit((f) => this.run('escalate', { ticketId: id, reason: this.value(f, 'reason') }, t('escalate')))}>
          <label>${t('reason')}<input name="reason" required /></label>
          <sl-button size="small" type="submit" variant="warning">${t('escalate')}</sl-button>
        </form>
      </details>
      <details><summary>${t('reclassify')}</summary>
        <form class="row" @submit=${submit((f) => this.run('reclassify', {
          ticketId: id, category: this.value(f, 'category') || null,
          tags: this.value(f, 'tags').split(/[,，]/).map((x) => x.trim()).filter(Boolean),
        }, t('saved')))}>
          <label>${t('category')}<input name="category" .value=${tk.feedback[0]?.category ?? ''} /></label>
          <label>${t('tags')}<input name="tags" .value=${tk.feedback[0]?.tags.join(', ') ?? ''} /></label>
          <sl-button size="small" type="submit">${t('save')}</sl-button>
        </form>
      </details>
      <details><summary>${t('collaborators')}</summary>
        <ul>${tk.collaborators.map((c) => html`<li>${c.department?.name ?? c.staff?.name}
          <sl-button size="small" variant="text" @click=${() => this.run('removeCollaborator', { ticketId: id, departmentId: c.department?.id, staffId: c.staff?.id }, t('remove'))}>${t('remove')}</sl-button></li>`)}</ul>
        <form class="row" @submit=${submit((f) => this.run('addCollaborator', { ticketId: id, departmentId: this.value(f, 'department') }, t('addCollaborator')))}>
          <label>${t('addCollaborator')}<select name="department">
            ${this.ref.departments.filter((d) => d.id !== tk.department?.id).map((d) => html`<option value=${d.id}>${d.name}</option>`)}</select></label>
          <sl-button size="small" type="submit">${t('create')}</sl-button>
        </form>
      </details>
      <details><summary>${t('merge')}</summary>
        <form class="row" @submit=${submit((f) => void this.merge(this.value(f, 'codes')))}>
          <label>${t('mergeHint')}<input name="codes" placeholder="FB-XXXX-XXXX" required /></label>
          <sl-button size="small" type="submit">${t('merge')}</sl-button>
        </form>
        ${tk.feedback.length > 1 ? html`<ul>${tk.feedback.map((f) => html`<li>${f.trackingCode}
          <sl-button size="small" variant="text" @click=${() => this.run('unlink', { feedbackId: f.id }, t('unlink'))}>${t('unlink')}</sl-button></li>`)}</ul>` : nothing}
      </details>
    </section>`;
  }

  private async merge(codes: string) {
    const ids: string[] = [];
    for (const code of codes.split(/[\s,，]+/).filter(Boolean)) {
      const d = await gql(FIND, { c: code }).catch(() => null);
      if (!d?.trackFeedback) {
        this.error = `${code}: not found`;
        return;
      }
      ids.push(d.trackFeedback.ticket.id);
    }
    await this.run('merge', { ticketId: this.ticket.id, sourceTicketIds: ids }, t('merge'));
  }
}
