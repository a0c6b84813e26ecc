// One error type for every failed call the desk makes: the API's google.rpc.Status (through the generated
// client's PunchcardError), or what went wrong on the way (offline, timed out).
import { PunchcardError } from '@punchcard/client';

const CODE_NAMES: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/** A failed call: the API's own message, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    /** The HTTP status, or 0 when no answer came (offline, timed out). */
    readonly status: number,
    /** The google.rpc code name (FAILED_PRECONDITION…), or NETWORK / TIMEOUT / CLIENT. */
    readonly code: string,
    message: string,
    /** ErrorInfo.reason (PACKAGE_FROZEN…), or ''. */
    readonly reason = '',
    readonly fieldViolations: readonly { field: string; description: string }[] = [],
    /** ErrorInfo.metadata (packageId, serviceId, remaining…), or {}. */
    readonly metadata: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Worth trying again as it is (with the same idempotency key): nothing was refused on its merits. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500 || this.reason === 'IDEMPOTENCY_KEY_IN_USE';
  }

  static network(): ApiError {
    return new ApiError(0, 'NETWORK', 'Cannot reach the server. Check the connection and try again.');
  }

  static timeout(): ApiError {
    return new ApiError(0, 'TIMEOUT', 'The server did not answer in time. Check the connection and try again.');
  }

  /** The API's refusal as the desk shows it. */
  static fromPunchcard(error: PunchcardError): ApiError {
    const { httpStatus, status } = error;
    const info = status.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo') as { reason?: string; metadata?: Record<string, string> } | undefined;
    const code = CODE_NAMES[status.code] ?? `HTTP_${httpStatus}`;
    // An answer that was no google.rpc.Status (a proxy's error page) has no message worth showing.
    const message =
      status.message && !/^HTTP \d+$/.test(status.message)
        ? status.message
        : httpStatus >= 500
          ? `The server had a problem (HTTP ${httpStatus}). Try again in a moment.`
          : `The request failed (HTTP ${httpStatus}).`;
    return new ApiError(httpStatus, code, message, info?.reason ?? '', error.fieldViolations, info?.metadata ?? {});
  }

  /** Anything a call threw, as an ApiError. */
  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    if (error instanceof PunchcardError) return ApiError.fromPunchcard(error);
    return new ApiError(0, 'CLIENT', error instanceof Error ? error.message : String(error));
  }
}
