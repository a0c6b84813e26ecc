// The one error type of the domain. Transports map it once each (src/transport/errors.ts); use cases never
// speak HTTP or gRPC.

export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'ABORTED',
  'RESOURCE_EXHAUSTED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Machine-readable reasons carried in google.rpc.ErrorInfo. */
export const ERROR_REASONS = [
  // package state (FAILED_PRECONDITION), as listed in the contract
  'PACKAGE_NOT_STARTED',
  'PACKAGE_FROZEN',
  'PACKAGE_EXPIRED',
  'PACKAGE_CANCELLED',
  'PACKAGE_FULLY_REDEEMED',
  'INSUFFICIENT_BALANCE',
  'SERVICE_NOT_IN_PACKAGE',
  'WRONG_BUSINESS',
  'ALREADY_REVERSED',
  'HOLD_NOT_PENDING',
  'HOLD_PENDING', // reversing a hold that is still pending: release it instead
  'PACKAGE_NOT_FROZEN',
  'TEMPLATE_ARCHIVED',
  'SERVICE_ARCHIVED', // an archived service put into a new or edited template
  'PRODUCT_ARCHIVED', // likewise a product
  'NO_REDEEMABLE_PACKAGE',
  'CURRENCY_MISMATCH', // a template priced in another currency than the selling business's, sold without a price in it
  // idempotency
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  // transport-level refusals
  'PAYLOAD_TOO_LARGE',
  'PAGE_SIZE_TOO_LARGE', // Zenoti refuses page_size over 100 with 422
  'RATE_LIMITED',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export interface DomainErrorOptions {
  readonly reason?: ErrorReason;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly fieldViolations?: readonly FieldViolation[];
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly reason: ErrorReason | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fieldViolations: readonly FieldViolation[];

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.reason = options.reason;
    this.metadata = options.metadata ?? {};
    this.fieldViolations = options.fieldViolations ?? [];
  }
}

export const invalidArgument = (field: string, description: string): DomainError =>
  new DomainError('INVALID_ARGUMENT', `${field}: ${description}`, { fieldViolations: [{ field, description }] });

export const invalidArguments = (violations: readonly FieldViolation[]): DomainError =>
  new DomainError(
    'INVALID_ARGUMENT',
    violations.map((v) => `${v.field}: ${v.description}`).join('; '),
    { fieldViolations: violations },
  );

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('NOT_FOUND', `${what} ${id} not found`);

export const alreadyExists = (what: string, id: string): DomainError =>
  new DomainError('ALREADY_EXISTS', `${what} ${id} already exists`);

export const permissionDenied = (message: string): DomainError => new DomainError('PERMISSION_DENIED', message);

export const failedPrecondition = (
  reason: ErrorReason,
  message: string,
  metadata: Record<string, string> = {},
): DomainError => new DomainError('FAILED_PRECONDITION', message, { reason, metadata });

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
