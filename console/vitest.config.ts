// The same settings as the components' browser tests (one graphql instance, one file at a time).
export { default } from '../web-components/vitest.config.ts';
