// Administration: the navigation, and each section loaded when first opened: reply templates, channels
// and API keys (admin-access.ts); staff, departments and tiers (admin-directory.ts); calendars, SLA
// policies and routing rules (admin-workflow.ts). Admins and supervisors see it; each section shows
// controls only to the roles the API lets change it (the API checks again).
import { LitElement, html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Me } from '../api.ts';
import { t } from '../i18n.ts';
import { shared } from '../styles.ts';

const SECTIONS = ['templates', 'routing', 'staff', 'channels', 'apikeys', 'departments', 'tiers', 'calendars', 'sla'] as const;
const LABEL: Record<string, string> = {
  templates: 'replyTemplates', routing: 'routingRules', staff: 'staff', channels: 'channels', apikeys: 'apiKeys', departments: 'departments', tiers: 'tiers', calendars: 'calendars', sla: 'slaPolicies',
};
/** API keys are read by admins (and auditors) only: a supervisor is not offered the section. */
const ROLES: Record<string, Me['role'][]> = { apikeys: ['ADMIN'] };
const access = () => import('./admin-access.ts');
const directory = () => import('./admin-directory.ts');
const workflow = () => import('./admin-workflow.ts');
/** Each section's element and the module that defines it. */
const LAZY: Record<string, { tag: string; load: () => Promise<unknown> }> = {
  templates: { tag: 'cl-admin-templates', load: access },
  channels: { tag: 'cl-admin-channels', load: access },
  apikeys: { tag: 'cl-admin-apikeys', load: access },
  staff: { tag: 'cl-admin-staff', load: directory },
  departments: { tag: 'cl-admin-departments', load: directory },
  tiers: { tag: 'cl-admin-tiers', load: directory },
  calendars: { tag: 'cl-admin-calendars', load: workflow },
  sla: { tag: 'cl-admin-sla', load: workflow },
  routing: { tag: 'cl-admin-routing', load: workflow },
};

@customElement('cl-admin')
export class AdminScreen extends LitElement {
  static styles = [shared, css`
    :host { display: grid; grid-template-columns: 12rem 1fr; gap: var(--sl-spacing-medium); }
    @media (max-width: 800px) { :host { grid-template-columns: 1fr; } }
    nav { display: grid; gap: 0.25rem; align-content: start; }
    nav a { padding: 0.35rem 0.6rem; border-radius: 4px; color: var(--sl-color-primary-700); }
    nav a[aria-current='page'] { background: var(--sl-color-primary-50); font-weight: var(--sl-font-weight-semibold); }
  `];

  @property({ attribute: false }) me!: Me;
  @property() section = 'templates';
  /** The section whose module has loaded (its element can then be created). */
  @state() private loaded: string | null = null;
  @state() private error = '';

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('section')) void this.load();
  }

  private async load() {
    const section = this.section;
    this.loaded = null;
    this.error = '';
    try {
      await (LAZY[section] ?? LAZY.templates!).load();
      if (section === this.section) this.loaded = section;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private get sections() {
    return SECTIONS.filter((s) => !ROLES[s] || ROLES[s]!.includes(this.me.role));
  }

  render() {
    return html`
      <nav aria-label=${t('admin')}>${this.sections.map((s) => html`<a href="#/admin/${s}" aria-current=${s === this.section ? 'page' : 'false'}>${t(LABEL[s]!)}</a>`)}</nav>
      <section class="stack" aria-labelledby="admin-title">
        <h1 id="admin-title">${t(LABEL[this.section] ?? 'admin')}</h1>
        ${this.error ? html`<p class="error">${this.error}</p>` : !this.loaded ? html`<p>${t('loading')}</p>` : this.renderSection(this.loaded)}
      </section>`;
  }

  /** One element per section, created by name so each is built only when its module has loaded. */
  private renderSection(section: string) {
    const me = this.me;
    switch (LAZY[section]?.tag) {
      case 'cl-admin-channels': return html`<cl-admin-channels .me=${me}></cl-admin-channels>`;
      case 'cl-admin-apikeys': return html`<cl-admin-apikeys .me=${me}></cl-admin-apikeys>`;
      case 'cl-admin-staff': return html`<cl-admin-staff .me=${me}></cl-admin-staff>`;
      case 'cl-admin-departments': return html`<cl-admin-departments .me=${me}></cl-admin-departments>`;
      case 'cl-admin-tiers': return html`<cl-admin-tiers .me=${me}></cl-admin-tiers>`;
      case 'cl-admin-calendars': return html`<cl-admin-calendars .me=${me}></cl-admin-calendars>`;
      case 'cl-admin-sla': return html`<cl-admin-sla .me=${me}></cl-admin-sla>`;
      case 'cl-admin-routing': return html`<cl-admin-routing .me=${me}></cl-admin-routing>`;
      default: return html`<cl-admin-templates .me=${me}></cl-admin-templates>`;
    }
  }
}
