export * from './schema.ts';
export { relations } from './relations.ts';
export * from './client.ts';
export type * from './rows.ts';
