import { css } from 'lit';
import { base } from '../shared/styles.ts';

export const styles = [
  base,
  css`
    :host { padding: 1em; border: 1px solid var(--cl-border, #80868b); border-radius: var(--cl-radius, 8px); margin: 1em 0; }
    .stars span { font-size: 1.25em; }
    .stars input:checked + span { background: var(--cl-star-bg, #fde293); border-color: var(--cl-star, #8a5a00); color: var(--cl-text, #1f1f1f); }
  `,
];
