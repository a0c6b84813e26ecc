// The one mapping from the domain's error codes to each surface. Record<ErrorCode, …> makes the compiler
// refuse a code without a mapping.
import type { ErrorCode, ErrorReason } from '../domain/errors.js';
import { DomainError } from '../domain/errors.js';

interface Mapping {
  /** google.rpc.Code */
  readonly grpc: number;
  readonly http: number;
}

export const ERROR_MAP: Record<ErrorCode, Mapping> = {
  INVALID_ARGUMENT: { grpc: 3, http: 400 },
  FAILED_PRECONDITION: { grpc: 9, http: 400 },
  UNAUTHENTICATED: { grpc: 16, http: 401 },
  PERMISSION_DENIED: { grpc: 7, http: 403 },
  NOT_FOUND: { grpc: 5, http: 404 },
  ALREADY_EXISTS: { grpc: 6, http: 409 },
  ABORTED: { grpc: 10, http: 409 },
  RESOURCE_EXHAUSTED: { grpc: 8, http: 429 },
  INTERNAL: { grpc: 13, http: 500 },
  UNAVAILABLE: { grpc: 14, http: 503 },
};

/** Reasons whose HTTP status differs from their code's, as the contract fixes them. */
const HTTP_BY_REASON: Partial<Record<ErrorReason, number>> = {
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  PAGE_SIZE_TOO_LARGE: 422,
};

export const httpStatusOf = (e: DomainError): number => (e.reason && HTTP_BY_REASON[e.reason]) || ERROR_MAP[e.code].http;

export interface StatusBody {
  code: number;
  message: string;
  details: Record<string, unknown>[];
}

/** google.rpc.Status as JSON, with ErrorInfo and BadRequest details. */
export function statusBody(e: DomainError): StatusBody {
  const details: Record<string, unknown>[] = [];
  if (e.reason) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: e.reason,
      domain: 'punchcard',
      metadata: e.metadata,
    });
  }
  if (e.fieldViolations.length > 0) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: e.fieldViolations.map((v) => ({ field: v.field, description: v.description })),
    });
  }
  return { code: ERROR_MAP[e.code].grpc, message: e.message, details };
}

/** Zenoti's error envelope, with the same HTTP status. */
export function zenotiErrorBody(e: DomainError, status: number): Record<string, unknown> {
  return { packages: null, page_info: null, error: { code: status, message: e.message } };
}

export const internalError = (requestId: string): DomainError =>
  new DomainError('INTERNAL', `internal error (request id ${requestId})`);
