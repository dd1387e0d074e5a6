// Loads <cl-feedback-tracker>, <cl-my-feedback> and <cl-satisfaction-survey>. In /sdk/closeloop.js the
// build replaces this module: the elements are a file of their own there, started with the entry's
// Lit, @lit/localize and shared modules (see scripts/build.ts, elementsFile).
export const loadElements = (): Promise<unknown> => import('./elements.ts');
