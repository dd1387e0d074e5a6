import { css } from 'lit';

/** Styles every screen shares: cards, form fields, status colours, PUBLIC vs INTERNAL. */
export const shared = css`
  :host { font-family: var(--sl-font-sans); color: var(--sl-color-neutral-900); }
  .card { background: var(--sl-color-neutral-0); border: 1px solid var(--sl-color-neutral-200); border-radius: var(--sl-border-radius-large); }
  .stack { display: grid; gap: var(--sl-spacing-small); }
  .row { display: flex; flex-wrap: wrap; gap: var(--sl-spacing-small); align-items: center; }
  label { display: grid; gap: 0.2rem; font-size: var(--sl-font-size-small); color: var(--sl-color-neutral-700); }
  input, select, textarea { font: inherit; font-size: var(--sl-font-size-medium); padding: 0.45rem 0.6rem; border: 1px solid var(--sl-color-neutral-400);
    border-radius: var(--sl-border-radius-medium); background: var(--sl-color-neutral-0); color: var(--sl-color-neutral-900); }
  input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 2px solid var(--sl-color-primary-600); outline-offset: 1px; }
  .error { color: var(--sl-color-danger-700); background: var(--sl-color-danger-50); padding: 0.5rem; border-radius: 4px; }
  .notice { color: var(--sl-color-primary-800); background: var(--sl-color-primary-50); padding: 0.5rem; border-radius: 4px; }
  .muted { color: var(--sl-color-neutral-600); font-size: var(--sl-font-size-small); }
  .overdue { color: var(--sl-color-danger-700); font-weight: var(--sl-font-weight-semibold); }
  .at-risk { color: var(--sl-color-warning-800); }
  h1, h2, h3 { margin: 0; }
  h2 { font-size: var(--sl-font-size-large); }
  h3 { font-size: var(--sl-font-size-medium); }
  table { border-collapse: collapse; width: 100%; font-size: var(--sl-font-size-small); }
  th, td { text-align: start; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--sl-color-neutral-200); vertical-align: top; }
  th { color: var(--sl-color-neutral-700); }
  button.primary { font: inherit; padding: 0.55rem 1rem; border: 0; border-radius: var(--sl-border-radius-medium); cursor: pointer;
    background: var(--sl-color-primary-700); color: var(--sl-color-neutral-0); }
  button.primary:focus-visible { outline: 2px solid var(--sl-color-primary-900); outline-offset: 2px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
