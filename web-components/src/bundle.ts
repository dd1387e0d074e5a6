// Entry of /sdk/closeloop.js: registers the elements and exposes the SDK for plain <script type="module"> pages.
export * from './index.ts';
export { createCloseloop, CloseloopError } from '@closeloop/sdk';
