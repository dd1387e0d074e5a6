import { css } from 'lit';
import { base } from '../shared/styles.ts';

export const styles = [
  base,
  css`
    .counter { text-align: end; }
    /* The whole row is the label, so the touch target is the row, not the 24 px box. */
    .consent { display: flex; gap: 0.5em; align-items: center; min-height: 44px; cursor: pointer; }
    .consent input { width: 24px; height: 24px; margin: 0; flex: none; }
    .code { font: 600 1.25em/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing: 0.05em; overflow-wrap: anywhere; }
    dl { margin: 0 0 1em; }
    dt { color: var(--cl-muted, #5f6368); font-size: 0.875em; }
    dd { margin: 0 0 0.75em; }
    .contact { display: grid; gap: 0 1em; grid-template-columns: repeat(auto-fit, minmax(14em, 1fr)); }
  `,
];
