import { LitElement } from 'lit';
import { updateWhenLocaleChanges } from '@lit/localize';
import type { Client } from './client.ts';
import { clientFor } from './config.ts';
import { getLocale, localeOf, setLocale } from './localization.ts';

/**
 * What every cl- element shares: locale from its `lang` attribute (or the page's), the SDK client,
 * and typed, composed DOM events that cross the shadow boundary.
 */
export class ClElement extends LitElement {
  declare client?: Client;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.applyLang();
    addEventListener('cl-configure', this.onConfigure);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('cl-configure', this.onConfigure);
  }

  private onConfigure = () => this.configured();

  /**
   * The first render waits for a task of its own: defining the element (in the script's evaluation) and
   * rendering it would otherwise run as one long task. Later updates run as Lit schedules them.
   */
  protected override scheduleUpdate(): ReturnType<LitElement['scheduleUpdate']> {
    if (this.hasUpdated) return super.scheduleUpdate();
    return new Promise((resolve) => setTimeout(resolve)).then(() => super.scheduleUpdate());
  }

  /** Called after configure() changed the page-wide client; elements that fetch override it. */
  protected configured(): void {
    this.requestUpdate();
  }

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.applyLang();
  }

  /** The locale is page-wide (@lit/localize runtime mode): an element's own `lang` wins over the page's. */
  private applyLang(): void {
    const locale = localeOf(this.getAttribute('lang') ?? this.closest('[lang]')?.getAttribute('lang'));
    if (locale !== getLocale()) void setLocale(locale);
  }

  protected get sdk(): Client {
    return clientFor(this);
  }

  /** Focuses an element of the shadow root once the pending render is done (a result, an error, thanks). */
  protected async focusRendered(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  protected emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Date and time in the current locale, for ISO strings from the API. */
  protected when(iso: string | null | undefined, withTime = true): string {
    if (!iso) return '';
    return new Intl.DateTimeFormat(getLocale(), withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }).format(new Date(iso));
  }
}
