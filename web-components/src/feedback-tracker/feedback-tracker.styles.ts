import { css } from 'lit';
import { base } from '../shared/styles.ts';

export const styles = [
  base,
  css`
    .steps { display: flex; list-style: none; margin: 0 0 1em; padding: 0; gap: 0.25em; }
    .steps li { flex: 1; min-width: 0; text-align: center; font-size: 0.8125em; color: var(--cl-muted, #5f6368); }
    .steps li::before {
      content: ''; display: block; height: 6px; margin-bottom: 0.4em; border-radius: 3px; background: var(--cl-track, #dadce0);
    }
    .steps li.done::before, .steps li[aria-current]::before { background: var(--cl-primary, #0b57d0); }
    .steps li[aria-current] { color: var(--cl-text, #1f1f1f); font-weight: 600; }
    .timeline { list-style: none; margin: 0; padding: 0; border-inline-start: 2px solid var(--cl-track, #dadce0); }
    .timeline li { position: relative; padding: 0 0 1em 1em; }
    .timeline li::before {
      content: ''; position: absolute; inset-inline-start: -7px; top: 0.45em; width: 12px; height: 12px; border-radius: 50%; box-sizing: border-box;
      background: var(--cl-bg, #fff); border: 2px solid var(--cl-primary, #0b57d0);
    }
    .head { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: baseline; justify-content: space-between; }
    .badge { display: inline-block; padding: 0.1em 0.6em; border-radius: 999px; background: var(--cl-badge-bg, #e8f0fe); color: var(--cl-badge, #0842a0); font-size: 0.875em; }
    .content { margin: 0.5em 0 1em; padding: 0.75em; border-radius: var(--cl-radius, 8px); background: var(--cl-surface, #f1f3f4); }
    h3 { font-size: 1em; margin: 1em 0 0.5em; }
    .question { margin: 0 0 1em; padding: 0.75em 1em; border-inline-start: 4px solid var(--cl-warn, #6b3e00); border-radius: var(--cl-radius, 8px); background: var(--cl-warn-bg, #fff4e5); }
    .question h3 { margin: 0 0 0.25em; color: var(--cl-warn, #6b3e00); }
    .files { list-style: none; margin: 0.25em 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5em; }
    .files a { display: inline-flex; align-items: center; min-height: 44px; overflow-wrap: anywhere; }
    .files img { display: block; width: 96px; height: 96px; object-fit: cover; border-radius: var(--cl-radius, 8px); border: 1px solid var(--cl-track, #dadce0); }
  `,
];
