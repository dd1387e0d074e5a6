import { css } from 'lit';
import { base } from '../shared/styles.ts';

export const styles = [
  base,
  css`
    :host { padding: 1em; border: 1px solid var(--cl-border, #80868b); border-radius: var(--cl-radius, 8px); margin: 1em 0; }
    /* Five equal buttons on one line, down to 320 px: one star each, filled up to the rating. */
    .stars { display: grid; grid-template-columns: repeat(5, minmax(44px, 1fr)); gap: 0.25em; }
    .stars label { min-width: 0; }
    .stars span { width: 100%; justify-content: center; padding: 0; font-size: 1.5em; color: var(--cl-muted, #5f6368); }
    .stars span.on { background: var(--cl-star-bg, #fde293); border-color: var(--cl-star, #8a5a00); color: var(--cl-star, #8a5a00); }
    .stars input:checked + span { border-width: 2px; }
    .counter { text-align: end; }
  `,
];
