// Administration of the directory: departments (with their business calendar), customer tiers, and
// staff (create, edit, reset the password to a one-time one, sign out everywhere, deactivate).
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../i18n.ts';
import { AdminSection, LEVELS, RESULT, ROLES, nullable, str } from './admin-base.ts';

@customElement('cl-admin-departments')
export class AdminDepartments extends AdminSection {
  protected readonly query = `{ departments { id code name calendar { id name } } businessCalendars { id code name } }`;
  protected editors: AdminSection['editors'] = ['ADMIN'];

  private calendarSelect(current: string | null, calendars: Array<{ id: string; name: string }>, id?: string) {
    return html`<select name="calendar" id=${id ?? nothing} aria-label=${t('calendar')}><option value="">${t('defaultCalendar')}</option>
      ${calendars.map((c) => html`<option value=${c.id} ?selected=${c.id === current}>${c.name}</option>`)}</select>`;
  }

  protected renderBody(d: any) {
    const edit = (dep: any) => this.submit(async (f) => {
      const cal = nullable(f, 'calendar');
      await this.mutateAll([
        [`mutation($input: UpdateDepartmentInput!) { updateDepartment(input: $input) { ${RESULT} } }`, { id: dep.id, code: str(f, 'code'), name: str(f, 'name') }],
        ...(cal !== (dep.calendar?.id ?? null)
          ? [[`mutation($input: SetDepartmentCalendarInput!) { setDepartmentCalendar(input: $input) { ${RESULT} } }`, { departmentId: dep.id, calendarId: cal }] as [string, Record<string, unknown>]]
          : []),
      ]);
    });
    const create = this.submit((f) => this.mutate(`mutation($input: CreateDepartmentInput!) { createDepartment(input: $input) { ${RESULT} } }`,
      { code: str(f, 'code'), name: str(f, 'name') }));
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-dept">
        <h2 id="new-dept">${t('create')}</h2>
        <div class="row"><label>${t('code')}<input name="code" required pattern="[A-Z0-9_]+" /></label><label>${t('name')}<input name="name" required /></label></div>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button></form>` : nothing}
      <table data-testid="departments"><thead><tr><th scope="col">${t('code')}</th><th scope="col">${t('name')} · ${t('calendar')}</th></tr></thead>
        <tbody>${d.departments.map((dep: any) => html`<tr data-code=${dep.code}><td>${dep.code}</td><td>${this.canEdit
          ? html`<form @submit=${edit(dep)} aria-label="${t('edit')} ${dep.code}">
              <input name="code" .value=${dep.code} aria-label=${t('code')} required /><input name="name" .value=${dep.name} aria-label=${t('name')} required />
              ${this.calendarSelect(dep.calendar?.id ?? null, d.businessCalendars)}<sl-button size="small" type="submit">${t('save')}</sl-button></form>`
          : html`${dep.name} · ${dep.calendar?.name ?? t('defaultCalendar')}`}</td></tr>`)}</tbody></table>`;
  }
}

@customElement('cl-admin-tiers')
export class AdminTiers extends AdminSection {
  protected readonly query = `{ tiers { id code name rank dedicatedManager } }`;
  protected editors: AdminSection['editors'] = ['ADMIN', 'SUPERVISOR'];

  protected renderBody(d: any) {
    const edit = (tier: any) => this.submit((f) => this.mutate(`mutation($input: UpdateTierInput!) { updateTier(input: $input) { ${RESULT} } }`,
      { id: tier.id, name: str(f, 'name'), rank: Number(f.get('rank')), dedicatedManager: f.get('dedicatedManager') === 'on' }));
    const create = this.submit((f) => this.mutate(`mutation($input: CreateTierInput!) { createTier(input: $input) { ${RESULT} } }`,
      { code: str(f, 'code'), name: str(f, 'name'), rank: Number(f.get('rank') || 0), dedicatedManager: f.get('dedicatedManager') === 'on' }));
    const fields = (tier: any | null) => html`
      <input name="name" .value=${tier?.name ?? ''} aria-label=${t('name')} placeholder=${t('name')} required />
      <input name="rank" type="number" step="1" .value=${String(tier?.rank ?? 0)} aria-label=${t('rank')} class="narrow" />
      <label class="row"><input type="checkbox" name="dedicatedManager" ?checked=${tier?.dedicatedManager ?? false} />${t('dedicatedManager')}</label>`;
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-tier">
        <h2 id="new-tier">${t('create')}</h2>
        <div class="row"><label>${t('code')}<input name="code" required pattern="[A-Z0-9_]+" /></label>${fields(null)}</div>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button></form>` : nothing}
      <table data-testid="tiers"><thead><tr><th scope="col">${t('code')}</th><th scope="col">${t('name')} · ${t('rank')} · ${t('dedicatedManager')}</th></tr></thead>
        <tbody>${d.tiers.map((tier: any) => html`<tr data-code=${tier.code}><td>${tier.code}</td><td>${this.canEdit
          ? html`<form @submit=${edit(tier)} aria-label="${t('edit')} ${tier.code}">${fields(tier)}<sl-button size="small" type="submit">${t('save')}</sl-button></form>`
          : html`${tier.name} · ${tier.rank} · ${tier.dedicatedManager ? '✔' : '—'}`}</td></tr>`)}</tbody></table>`;
  }
}

@customElement('cl-admin-staff')
export class AdminStaff extends AdminSection {
  protected readonly query = `{ staffMembers { id name displayName email role level active mustChangePassword department { id name } } departments { id name } }`;
  protected editors: AdminSection['editors'] = ['ADMIN'];
  /** The member whose edit form is open. */
  @state() private editing: string | null = null;

  private staffMutation(name: string, input: string, extra = '') {
    return `mutation($input: ${input}!) { ${name}(input: $input) { ${RESULT} ${extra} } }`;
  }

  protected renderBody(d: any) {
    const departments = d.departments as Array<{ id: string; name: string }>;
    const deptOptions = (current: string | null) => html`<option value="">—</option>${departments.map((x) => html`<option value=${x.id} ?selected=${x.id === current}>${x.name}</option>`)}`;
    const create = this.submit((f) => this.mutate(this.staffMutation('createStaff', 'CreateStaffInput', '... on StaffInitialPasswordPayload { initialPassword }'),
      { email: str(f, 'email'), name: nullable(f, 'name'), role: str(f, 'role'), departmentId: nullable(f, 'department') }, (r) => r.initialPassword));
    const update = (m: any) => this.submit(async (f) => {
      const ok = await this.mutate(this.staffMutation('updateStaff', 'UpdateStaffInput'), {
        id: m.id, name: str(f, 'name'), displayName: str(f, 'displayName'), role: str(f, 'role'), level: str(f, 'level'), departmentId: nullable(f, 'department'),
      });
      if (ok) this.editing = null;
    });
    return html`
      ${this.canEdit ? html`<form class="card stack" @submit=${create} aria-labelledby="new-staff">
        <h2 id="new-staff">${t('create')}</h2>
        <div class="row">
          <label>${t('email')}<input name="email" type="email" required /></label>
          <label>${t('name')}<input name="name" /></label>
          <label>${t('role')}<select name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select></label>
          <label>${t('department')}<select name="department">${deptOptions(null)}</select></label>
        </div>
        <sl-button type="submit" variant="primary">${t('create')}</sl-button>
      </form>` : nothing}
      <table data-testid="staff"><thead><tr>${['name', 'email', 'role', 'level', 'department', 'active'].map((h) => html`<th scope="col">${t(h)}</th>`)}
        <th scope="col"><span class="visually-hidden">${t('action')}</span></th></tr></thead>
        <tbody>${d.staffMembers.map((m: any) => html`<tr data-email=${m.email}><td>${m.name}${m.displayName ? html`<div class="muted">${m.displayName}</div>` : nothing}</td>
          <td>${m.email}</td><td>${m.role}</td><td>${m.level}</td><td>${m.department?.name ?? '—'}</td>
          <td>${m.active ? '✔' : '✘'}${m.mustChangePassword ? html` <span class="muted">(${t('oneTimePassword')})</span>` : nothing}</td>
          <td class="row">${this.canEdit && m.active ? html`
            <sl-button size="small" data-action="edit" @click=${() => (this.editing = this.editing === m.id ? null : m.id)}>${t('edit')}</sl-button>
            ${m.id !== this.me.id ? html`
            <sl-button size="small" data-action="reset-password" @click=${() => this.mutate(this.staffMutation('resetStaffPassword', 'ResetStaffPasswordInput', '... on StaffInitialPasswordPayload { initialPassword }'), { id: m.id }, (r) => r.initialPassword)}>${t('resetPassword')}</sl-button>
            <sl-button size="small" data-action="revoke-sessions" @click=${async () => (await this.mutate(this.staffMutation('revokeStaffSessions', 'RevokeStaffSessionsInput'), { id: m.id })) && (this.message = t('sessionsRevoked'))}>${t('revokeSessions')}</sl-button>
            <sl-button size="small" variant="danger" outline data-action="deactivate"
              @click=${() => this.mutate(this.staffMutation('deactivateStaff', 'DeactivateStaffInput'), { id: m.id })}>${t('deactivate')}</sl-button>` : nothing}` : nothing}</td></tr>
          ${this.editing === m.id ? html`<tr><td colspan="7"><form class="row" @submit=${update(m)} aria-label="${t('edit')} ${m.email}" data-testid="edit-staff">
            <label>${t('name')}<input name="name" .value=${m.name} required /></label>
            <label>${t('displayName')}<input name="displayName" .value=${m.displayName ?? ''} /></label>
            <label>${t('role')}<select name="role">${ROLES.map((r) => html`<option ?selected=${r === m.role}>${r}</option>`)}</select></label>
            <label>${t('level')}<select name="level">${LEVELS.map((l) => html`<option ?selected=${l === m.level}>${l}</option>`)}</select></label>
            <label>${t('department')}<select name="department">${deptOptions(m.department?.id ?? null)}</select></label>
            <sl-button type="submit" variant="primary" size="small">${t('save')}</sl-button>
            <sl-button size="small" @click=${() => (this.editing = null)}>${t('cancel')}</sl-button></form></td></tr>` : nothing}`)}</tbody></table>`;
  }
}
