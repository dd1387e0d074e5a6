import { css } from 'lit';

/**
 * Theme through CSS custom properties on the element (or any ancestor), e.g.
 * `cl-feedback-form { --cl-primary: #c8102e; --cl-radius: 2px }`, and through ::part().
 * Defaults meet WCAG AA contrast on white.
 */
export const base = css`
  :host {
    display: block;
    box-sizing: border-box;
    max-width: 100%;
    color: var(--cl-text, #1f1f1f);
    background: var(--cl-bg, #fff);
    /* Names the Chinese UI font of macOS/iOS, Windows and Linux: with none of the stack installed, every
       Chinese character goes through the browser's per-character font fallback (most of the first layout). */
    font: var(--cl-font-size, 16px) / 1.5 var(--cl-font-family, system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif);
  }
  :host([hidden]) { display: none; }
  /* No ::before/::after here: matching them makes the browser compute both pseudo-elements of every element. */
  * { box-sizing: inherit; }
  h2 { font-size: 1.25em; margin: 0 0 0.75em; }
  p { margin: 0.5em 0; }
  /* One weight and one size for the body text: each other weight or size of a font is another font file
     or strike the browser looks up before the first layout (bold Chinese is a second file of its own). */
  .muted { color: var(--cl-muted, #5f6368); }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; }
  button, input, select, textarea { font: inherit; color: inherit; }
  button {
    min-height: 44px; min-width: 44px; padding: 0.5em 1.25em; cursor: pointer;
    border: 1px solid var(--cl-primary, #0b57d0); border-radius: var(--cl-radius, 8px);
    background: var(--cl-primary, #0b57d0); color: var(--cl-on-primary, #fff);
  }
  button.secondary { background: transparent; color: var(--cl-primary, #0b57d0); }
  button[disabled] { opacity: 0.6; cursor: default; }
  input:not([type='radio']):not([type='checkbox']), select, textarea {
    display: block; width: 100%; min-height: 44px; padding: 0.5em 0.75em;
    border: 1px solid var(--cl-border, #80868b); border-radius: var(--cl-radius, 8px); background: var(--cl-bg, #fff);
  }
  textarea { min-height: 8em; resize: vertical; }
  :focus-visible { outline: 3px solid var(--cl-focus, #0b57d0); outline-offset: 2px; }
  [aria-invalid='true'] { border-color: var(--cl-danger, #b3261e) !important; }
  .error { color: var(--cl-danger, #b3261e); font-size: 0.875em; margin: 0.25em 0 0; }
  .banner { padding: 0.75em 1em; border-radius: var(--cl-radius, 8px); background: var(--cl-warn-bg, #fff4e5); color: var(--cl-warn, #6b3e00); margin-bottom: 1em; }
  .field { margin: 0 0 1em; }
  label, legend { display: block; margin-bottom: 0.25em; }
  fieldset { border: 0; margin: 0 0 1em; padding: 0; min-width: 0; }
  .chips { display: flex; flex-wrap: wrap; gap: 0.5em; }
  .chips label { margin: 0; }
  .chips input { position: absolute; opacity: 0; width: 1px; height: 1px; }
  .chips span {
    display: inline-flex; align-items: center; min-height: 44px; min-width: 44px; padding: 0 1em; cursor: pointer;
    border: 1px solid var(--cl-border, #80868b); border-radius: var(--cl-radius, 8px);
  }
  .chips input:checked + span { background: var(--cl-primary, #0b57d0); border-color: var(--cl-primary, #0b57d0); color: var(--cl-on-primary, #fff); }
  .chips input:focus-visible + span { outline: 3px solid var(--cl-focus, #0b57d0); outline-offset: 2px; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }
`;
