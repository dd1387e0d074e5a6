import type { FieldError as DomainFieldError } from '@closeloop/domain';

/** Expected failures. Each becomes a GraphQL object type in mutation result unions, with a stable `code`. */
export class AppError extends Error {
  readonly code: string = 'ERROR';
}
export class ValidationError extends AppError {
  override readonly code = 'VALIDATION_FAILED';
  constructor(readonly fieldErrors: DomainFieldError[], message = fieldErrors[0]?.message ?? 'Invalid input') {
    super(message);
  }
}
export class NotFoundError extends AppError {
  override readonly code = 'NOT_FOUND';
}
export class ForbiddenError extends AppError {
  override readonly code = 'FORBIDDEN';
}
export class AuthenticationError extends AppError {
  override readonly code = 'UNAUTHENTICATED';
}
export class ConflictError extends AppError {
  override readonly code = 'CONFLICT';
}
export class InvalidTransitionError extends AppError {
  override readonly code = 'INVALID_TRANSITION';
  constructor(readonly from: string, readonly to: string, readonly allowed: readonly string[]) {
    super(`A ticket cannot move from ${from} to ${to}${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`);
  }
}
