import { css } from 'lit';
import { base } from '../shared/styles.ts';

export const styles = [
  base,
  css`
    ul { list-style: none; margin: 0; padding: 0; }
    li + li { margin-top: 0.5em; }
    li button {
      display: block; width: 100%; text-align: start; background: var(--cl-bg, #fff); color: var(--cl-text, #1f1f1f);
      border-color: var(--cl-border, #80868b); padding: 0.75em 1em;
    }
    .top { display: flex; justify-content: space-between; gap: 0.5em; flex-wrap: wrap; }
    .badge { padding: 0.1em 0.6em; border-radius: 999px; background: var(--cl-badge-bg, #e8f0fe); color: var(--cl-badge, #0842a0); font-size: 0.875em; }
    .excerpt { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; margin: 0.25em 0; }
  `,
];
