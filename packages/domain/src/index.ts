export * from './enums.ts';
export * from './status.ts';
export * from './codes.ts';
export * from './validation.ts';
export * from './calendar.ts';
export * from './sla.ts';
export * from './routing.ts';
export * from './identity.ts';
