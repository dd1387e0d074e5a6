// The SDK's client and transports (urql, graphql-ws, the SSE fallback): a chunk of its own in
// /sdk/closeloop.js, loaded through client.ts's loadSdk().
export { createCloseloop, CloseloopError, idempotencyKey } from '@closeloop/sdk';
