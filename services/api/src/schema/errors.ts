import { GraphQLError } from 'graphql';
import type { FieldError as DomainFieldError } from '@closeloop/domain';

/**
 * Expected failures. In mutation result unions each class is a typed member with a stable `code`;
 * thrown from a query field it is a GraphQL error carrying the same `extensions.code` (never masked).
 */
export class AppError extends GraphQLError {
  constructor(message: string, readonly code: string) {
    super(message, { extensions: { code } });
  }
}
export class ValidationError extends AppError {
  constructor(readonly fieldErrors: DomainFieldError[], message = fieldErrors[0]?.message ?? 'Invalid input') {
    super(message, 'VALIDATION_FAILED');
  }
}
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, 'NOT_FOUND');
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(message, 'FORBIDDEN');
  }
}
export class AuthenticationError extends AppError {
  constructor(message: string) {
    super(message, 'UNAUTHENTICATED');
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 'CONFLICT');
  }
}
export class InvalidTransitionError extends AppError {
  constructor(readonly from: string, readonly to: string, readonly allowed: readonly string[]) {
    super(`A ticket cannot move from ${from} to ${to}${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`, 'INVALID_TRANSITION');
  }
}

/**
 * An abuse limit refused the attempt before anything changed (src/limits/abuse.ts). Typed in mutation
 * unions; on queries and whole-request refusals an error with `extensions.code: RATE_LIMITED` and
 * `extensions.retryAfter` (seconds), and HTTP 429 with Retry-After when the whole request is refused.
 */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfter: number, readonly cause?: unknown, readonly budget?: { limit: number; remaining: number; reset: number; window: number }) {
    super(`Too many attempts; try again in ${retryAfter} s`, 'RATE_LIMITED');
    this.extensions.retryAfter = retryAfter;
  }
}
