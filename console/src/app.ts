// <cl-console>: sign-in, the shell (navigation, language, sign-out, password change) and the router.
// Screens are loaded when first opened; one ticketEvents subscription feeds every screen live.
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state, query } from 'lit/decorators.js';
import { ApiError, gql, onSessionExpired, session, setSession, subscribe, type Me } from './api.ts';
import { LOCALES, locale, setLocale, t, type Locale } from './i18n.ts';
import { EVENT_FIELDS, emitTicketEvent } from './live.ts';
import { shared } from './styles.ts';

const ME = `{ viewer { staff { id name email role level department { id code name } } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { __typename
  ... on LoginPayload { token expiresAt mustChangePassword staff { id } }
  ... on Error { code message } } }`;
const LIVE = `subscription($after: String) { ticketEvents(after: $after) { ${EVENT_FIELDS} } }`;

type Route = { name: 'queue' } | { name: 'ticket'; id: string } | { name: 'audit' } | { name: 'admin'; section: string };

function parseRoute(): Route {
  const [, name, arg] = location.hash.split('/');
  if (name === 'ticket' && arg) return { name: 'ticket', id: decodeURIComponent(arg) };
  if (name === 'audit') return { name: 'audit' };
  if (name === 'admin') return { name: 'admin', section: arg ?? 'templates' };
  return { name: 'queue' };
}

const SCREENS: Record<Route['name'], () => Promise<unknown>> = {
  queue: () => import('./screens/queue.ts'),
  ticket: () => import('./screens/ticket.ts'),
  audit: () => import('./screens/audit.ts'),
  admin: () => import('./screens/admin.ts'),
};

@customElement('cl-console')
export class ConsoleApp extends LitElement {
  static styles = [shared, css`
    :host { display: block; min-height: 100vh; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: var(--sl-spacing-small); padding: var(--sl-spacing-x-small) var(--sl-spacing-medium);
      background: var(--sl-color-neutral-900); color: var(--sl-color-neutral-0); }
    header .brand { font-weight: var(--sl-font-weight-bold); margin-inline-end: var(--sl-spacing-medium); }
    nav { display: flex; gap: var(--sl-spacing-2x-small); flex: 1; flex-wrap: wrap; }
    nav a { color: var(--sl-color-neutral-0); text-decoration: none; padding: 0.4rem 0.7rem; border-radius: var(--sl-border-radius-medium); }
    nav a[aria-current='page'] { background: var(--sl-color-primary-700); }
    nav a:focus-visible { outline: 2px solid var(--sl-color-primary-300); }
    .who { font-size: var(--sl-font-size-small); color: inherit; }
    header label.who { color: var(--sl-color-neutral-0); display: flex; gap: 0.4rem; align-items: center; }
    main { padding: var(--sl-spacing-medium); }
    .signin { max-width: 24rem; margin: 10vh auto; display: grid; gap: var(--sl-spacing-medium); padding: var(--sl-spacing-large); }
    .signin h1 { margin: 0; font-size: var(--sl-font-size-x-large); }
    .live { font-size: var(--sl-font-size-x-small); }
    select.lang { background: var(--sl-color-neutral-800); color: var(--sl-color-neutral-0); border: 1px solid var(--sl-color-neutral-600); border-radius: 4px; padding: 0.2rem; }
  `];

  @state() private me: Me | null = null;
  @state() private checking = true;
  @state() private route: Route = parseRoute();
  @state() private notice = '';
  @state() private error = '';
  @state() private busy = false;
  @state() private liveStatus = '';
  @state() private changingPassword = false;
  /** Signed in with a one-time password: nothing else until a new one is chosen. */
  @state() private mustChange = false;
  @query('#email') private emailInput!: HTMLInputElement;
  private stopLive?: () => void;

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener('cl-locale', this.rerender);
    onSessionExpired(() => {
      this.signedOut();
      this.notice = t('sessionExpired');
    });
    void this.loadMe();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener('cl-locale', this.rerender);
    this.stopLive?.();
  }

  private rerender = () => this.requestUpdate();
  private onHash = () => {
    this.route = parseRoute();
    void SCREENS[this.route.name]();
  };

  private async loadMe() {
    this.checking = true;
    try {
      if (session()) {
        const d = await gql<{ viewer: { staff: Me | null } }>(ME);
        this.me = d.viewer.staff;
        if (this.me) this.startLive();
      }
    } catch {
      this.me = null;
    } finally {
      this.checking = false;
    }
    if (this.me) await SCREENS[this.route.name]();
  }

  private startLive() {
    this.stopLive?.();
    this.stopLive = subscribe(LIVE, {}, (d) => emitTicketEvent(d.ticketEvents), (s) => (this.liveStatus = s));
  }

  private signedOut() {
    this.stopLive?.();
    this.stopLive = undefined;
    this.me = null;
  }

  private async signIn(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.error = '';
    this.notice = '';
    try {
      const r = await gql(LOGIN, { input: { email: String(data.get('email') ?? ''), password: String(data.get('password') ?? '') } });
      if (r.login.__typename !== 'LoginPayload') {
        this.error = r.login.code === 'AUTHENTICATION_FAILED' || r.login.code === 'UNAUTHENTICATED' ? t('wrongPassword') : r.login.message;
        return;
      }
      setSession({ token: r.login.token, expiresAt: r.login.expiresAt });
      if (r.login.mustChangePassword) {
        this.mustChange = true;
        this.checking = false;
        return;
      }
      await this.loadMe();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : t('error');
    } finally {
      this.busy = false;
    }
  }

  private async signOut() {
    // Ends the session on the server too where it supports it (logout); the token is dropped either way.
    await gql(`mutation { logout { __typename } }`).catch(() => {});
    setSession(null);
    this.signedOut();
    location.hash = '#/queue';
  }

  protected updated(): void {
    if (!this.me && !this.checking) this.emailInput?.focus();
  }

  render() {
    if (this.checking) return html`<main aria-busy="true"><sl-spinner></sl-spinner> ${t('loading')}</main>`;
    if (this.mustChange) {
      return html`<main><div class="signin card"><h1>${t('appName')}</h1><p class="notice" role="status">${t('mustChangePassword')}</p>
        <cl-password-form @changed=${() => ((this.mustChange = false), void this.loadMe())}></cl-password-form></div></main>`;
    }
    if (!this.me) return this.renderSignIn();
    const me = this.me;
    const canAdmin = me.role === 'ADMIN' || me.role === 'SUPERVISOR';
    const canAudit = me.role === 'ADMIN' || me.role === 'AUDITOR';
    const r = this.route;
    const link = (href: string, name: string, label: string) =>
      html`<a href=${href} aria-current=${r.name === name ? 'page' : 'false'}>${label}</a>`;
    return html`
      <header>
        <span class="brand">${t('appName')}</span>
        <nav aria-label="Main">
          ${link('#/queue', 'queue', t('queue'))}
          ${canAudit ? link('#/audit', 'audit', t('audit')) : nothing}
          ${canAdmin ? link('#/admin', 'admin', t('admin')) : nothing}
        </nav>
        <span class="live" role="status">${this.liveStatus === 'live' ? `● ${t('live')}` : this.liveStatus === 'reconnecting' ? t('reconnecting') : ''}</span>
        <label class="who">${t('language')}
          <select class="lang" @change=${(e: Event) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
            ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === locale()}>${l}</option>`)}
          </select>
        </label>
        <span class="who" data-testid="me">${me.name} · ${me.role}</span>
        <sl-button size="small" @click=${() => (this.changingPassword = true)}>${t('changePassword')}</sl-button>
        <sl-button size="small" data-testid="sign-out" @click=${this.signOut}>${t('signOut')}</sl-button>
      </header>
      ${this.changingPassword ? html`<cl-password-dialog @close=${() => (this.changingPassword = false)}></cl-password-dialog>` : nothing}
      <main id="main">
        ${r.name === 'queue' ? html`<cl-queue .me=${me}></cl-queue>` : nothing}
        ${r.name === 'ticket' ? html`<cl-ticket .me=${me} .ticketId=${r.id}></cl-ticket>` : nothing}
        ${r.name === 'audit' && canAudit ? html`<cl-audit></cl-audit>` : nothing}
        ${r.name === 'admin' && canAdmin ? html`<cl-admin .me=${me} .section=${r.section}></cl-admin>` : nothing}
      </main>
    `;
  }

  private renderSignIn() {
    return html`
      <main>
        <form class="signin card" @submit=${this.signIn} aria-labelledby="signin-title">
          <h1 id="signin-title">${t('appName')}</h1>
          ${this.notice ? html`<div class="notice" role="status">${this.notice}</div>` : nothing}
          ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
          <label>${t('email')}<input id="email" name="email" type="email" autocomplete="username" required /></label>
          <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required /></label>
          <!-- A native submit button: Enter in either field submits (implicit submission). -->
          <button class="primary" type="submit" ?disabled=${this.busy} data-testid="sign-in">${t('signIn')}</button>
          <label class="who">${t('language')}
            <select @change=${(e: Event) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
              ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === locale()}>${l}</option>`)}
            </select>
          </label>
        </form>
      </main>
    `;
  }
}

/** The change-password form (`changePassword`): the new session token replaces the old one. */
@customElement('cl-password-form')
export class PasswordForm extends LitElement {
  static styles = [shared];
  @state() private error = '';

  private async submit(e: Event) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    this.error = '';
    try {
      const r = await gql(
        `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename
          ... on ChangePasswordPayload { token expiresAt } ... on Error { code message } ... on ValidationError { fieldErrors { message } } } }`,
        { input: { currentPassword: String(data.get('current')), newPassword: String(data.get('next')) } },
      );
      const res = r.changePassword;
      if (res.code) {
        this.error = res.fieldErrors?.[0]?.message ?? res.message;
        return;
      }
      setSession({ token: res.token, expiresAt: res.expiresAt });
      this.dispatchEvent(new CustomEvent('changed'));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  render() {
    return html`<form @submit=${this.submit} class="stack">
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <label>${t('currentPassword')}<input name="current" type="password" autocomplete="current-password" required /></label>
      <label>${t('newPassword')}<input name="next" type="password" autocomplete="new-password" minlength="12" required /></label>
      <button class="primary" type="submit" data-testid="change-password">${t('save')}</button>
    </form>`;
  }
}

/** Change password from the header. */
@customElement('cl-password-dialog')
export class PasswordDialog extends LitElement {
  static styles = [shared];
  @state() private done = false;

  private close() {
    this.dispatchEvent(new CustomEvent('close'));
  }

  render() {
    return html`
      <sl-dialog open label=${t('changePassword')} @sl-after-hide=${this.close}>
        ${this.done ? html`<p role="status">${t('passwordChanged')}</p>` : html`<cl-password-form @changed=${() => (this.done = true)}></cl-password-form>`}
        <sl-button slot="footer" @click=${this.close}>${t('cancel')}</sl-button>
      </sl-dialog>
    `;
  }
}
