// What every administration section shares: its data query, a mutation with the typed error shown
// in place, a secret shown once (never stored), and whether the signed-in role may change anything
// here (the API checks again; the console only hides what would be refused).
import { LitElement, html, css, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { RESULT, gql, mutate, type Me } from '../api.ts';
import { t } from '../i18n.ts';
import { shared } from '../styles.ts';

/** The sections import the result selection from here with the rest of their helpers. */
export { RESULT };

export const KINDS = ['COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY'];
export const CHANNELS = ['WEB', 'APP', 'MINI_PROGRAM', 'BRANCH', 'PHONE', 'EMAIL', 'SOCIAL', 'SELF_SERVICE_TERMINAL', 'PARTNER'];
export const LEVELS = ['L1', 'L2', 'L3'];
export const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];
export const ROLES = ['AGENT', 'SENIOR', 'EXPERT', 'SUPERVISOR', 'ADMIN', 'AUDITOR'];

/** "a, b，c" → ["a", "b", "c"] (ASCII and full-width commas). */
export const list = (v: FormDataEntryValue | null) => String(v ?? '').split(/[,，]/).map((x) => x.trim()).filter(Boolean);
/** Dates separated by spaces, commas or new lines. */
export const dates = (v: FormDataEntryValue | null) => String(v ?? '').split(/[\s,，]+/).map((x) => x.trim()).filter(Boolean);
/** "09:00-12:00, 13:30-17:30" as intervals; null when a part is not a time span. Empty: none. */
export function intervalsOf(v: FormDataEntryValue | null): Array<{ start: string; end: string }> | null {
  const parts = String(v ?? '').replace(/\s*[-–~—]\s*/g, '-').split(/[\s,，;；、]+/).filter(Boolean);
  const out: Array<{ start: string; end: string }> = [];
  for (const part of parts) {
    const m = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return null;
    out.push({ start: m[1]!.padStart(5, '0'), end: m[2]!.padStart(5, '0') });
  }
  return out;
}
export const spansOf = (intervals: Array<{ start: string; end: string }>) => intervals.map((i) => `${i.start}-${i.end}`).join(', ');
export const str = (f: FormData, name: string) => String(f.get(name) ?? '').trim();
export const nullable = (f: FormData, name: string) => str(f, name) || null;

export abstract class AdminSection extends LitElement {
  static styles = [shared, css`
    :host { display: grid; gap: var(--sl-spacing-medium); }
    .card { padding: var(--sl-spacing-medium); }
    textarea { min-height: 4rem; }
    td form { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: end; }
    input.narrow { width: 5rem; }
    td input, td select { font-size: var(--sl-font-size-small); padding: 0.25rem 0.4rem; }
    fieldset { border: 1px solid var(--sl-color-neutral-200); border-radius: 4px; padding: 0.5rem; }
    fieldset.week { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.4rem 0.8rem; }
    fieldset.week legend { padding: 0 0.3rem; }
    .checks { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
    .checks label { display: flex; gap: 0.3rem; align-items: center; }
    ol.rules { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.4rem; }
    ol.rules li { display: grid; grid-template-columns: 2.5rem 1fr auto; gap: 0.5rem; align-items: center; padding: 0.5rem; border: 1px solid var(--sl-color-neutral-200); border-radius: 6px; }
    ol.rules li.off { opacity: 0.75; }
  `];

  @property({ attribute: false }) me!: Me;
  @state() protected data: any = null;
  @state() protected message = '';
  @state() protected secret = '';

  /** The section's read query. */
  protected abstract readonly query: string;
  /** The roles the API lets change this section. */
  protected editors: Me['role'][] = ['ADMIN'];
  protected abstract renderBody(d: any): unknown;

  protected get canEdit(): boolean {
    return this.editors.includes(this.me.role);
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  protected async load() {
    this.data = await gql(this.query).catch((e) => ({ error: (e as Error).message }));
  }

  /** Runs a mutation with `{ input }`; the payload on success (and reloads), null on a typed error. */
  protected async mutate(query: string, input: Record<string, unknown>, secretOf?: (r: any) => string): Promise<any | null> {
    const [res] = await this.mutateAll([[query, input]]);
    this.secret = res && secretOf ? secretOf(res) : '';
    return res ?? null;
  }

  /**
   * Several mutations as one save, in order: stops at the first refusal (shown); "Saved." and one
   * reload only once every step has committed. The payloads, or [] after a refusal.
   */
  protected async mutateAll(steps: Array<[string, Record<string, unknown>]>): Promise<any[]> {
    this.message = '';
    const done: any[] = [];
    for (const [query, input] of steps) {
      const { payload, error } = await mutate(query, input);
      if (error) {
        this.message = error;
        if (done.length) await this.load();
        return [];
      }
      done.push(payload);
    }
    this.message = t('saved');
    await this.load();
    return done;
  }

  protected submit(fn: (f: FormData, form: HTMLFormElement) => void) {
    return (e: Event) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      fn(new FormData(form), form);
    };
  }

  protected checks(name: string, values: string[], chosen: readonly string[] | null | undefined, label: (v: string) => string = t): TemplateResult {
    return html`<div class="checks">${values.map((v) => html`<label><input type="checkbox" name=${name} value=${v} ?checked=${chosen?.includes(v) ?? false} />${label(v)}</label>`)}</div>`;
  }

  render() {
    return html`
      <p role="status" class="muted" data-testid="admin-message">${this.message}</p>
      ${this.secret ? html`<p class="notice" role="status" data-testid="secret">${t('shownOnce')}: <code>${this.secret}</code></p>` : nothing}
      ${!this.canEdit ? html`<p class="muted">${t('adminOnly')}</p>` : nothing}
      ${!this.data ? html`<p>${t('loading')}</p>` : this.data.error ? html`<p class="error">${this.data.error}</p>` : this.renderBody(this.data)}`;
  }
}
