export { createCloseloop, CloseloopError, type Closeloop, type CloseloopOptions, type ProgressEvent, type ProgressHandlers } from './client.ts';
export { retryPolicy, idempotencyKey, type RetryOptions, type RetryPolicy } from './retry.ts';
export { tokenSource, expiryOf, type GetToken, type TokenSource } from './token.ts';
export { resumable, failover, TransportError, type StreamStatus, type Transport, type StreamRequest, type StreamResult } from './stream.ts';
export { sseTransport } from './sse.ts';
export { wsTransport } from './ws.ts';
export { graphql, type ResultOf, type VariablesOf } from './graphql.ts';
export * as operations from './operations.ts';
