export * from './enums.ts';
export * from './status.ts';
export * from './codes.ts';
export * from './validation.ts';
