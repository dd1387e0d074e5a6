import { builder } from './builder.ts';
import {
  AppError, AuthenticationError, ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError, RateLimitedError, ValidationError,
} from './errors.ts';
import { TicketStatusEnum } from './enums.ts';

export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'An expected failure. `code` is stable and machine-readable; `message` is for people.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

const FieldErrorRef = builder.objectRef<{ path: string[]; message: string; code: string }>('FieldError').implement({
  description: 'One invalid input field; `path` starts at the argument name, e.g. ["input", "content"].',
  fields: (t) => ({
    path: t.exposeStringList('path'),
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (o) => o instanceof ValidationError,
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldErrorRef], resolve: (e) => e.fieldErrors }),
  }),
});

for (const [cls, name] of [
  [NotFoundError, 'NotFoundError'],
  [ForbiddenError, 'ForbiddenError'],
  [AuthenticationError, 'AuthenticationError'],
  [ConflictError, 'ConflictError'],
] as const) {
  builder.objectType(cls as typeof AppError, {
    name,
    interfaces: [ErrorInterface],
    isTypeOf: (o) => o instanceof cls,
    fields: () => ({}),
  });
}

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  interfaces: [ErrorInterface],
  isTypeOf: (o) => o instanceof InvalidTransitionError,
  fields: (t) => ({
    from: t.field({ type: TicketStatusEnum, resolve: (e) => e.from as never }),
    to: t.field({ type: TicketStatusEnum, resolve: (e) => e.to as never }),
    allowed: t.field({ type: [TicketStatusEnum], resolve: (e) => e.allowed as never }),
  }),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'An abuse limit refused the attempt; nothing changed. Try again after `retryAfter` seconds.',
  interfaces: [ErrorInterface],
  isTypeOf: (o) => o instanceof RateLimitedError,
  fields: (t) => ({
    retryAfter: t.exposeInt('retryAfter', { description: 'Seconds to wait before the next attempt.' }),
  }),
});
