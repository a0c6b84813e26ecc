// DomainError → ConnectError: the gRPC code of the one mapping (transport/errors.ts; Connect's Code enum uses
// google.rpc's numbers), with the same ErrorInfo and BadRequest details the HTTP surfaces send. Anything
// unexpected becomes INTERNAL carrying only the request id; the cause goes to the log.
import { Code, ConnectError } from '@connectrpc/connect';
import type { DomainError } from '../../domain/errors.js';
import { ERROR_MAP } from '../errors.js';
import { toDomainError } from '../http/error-handler.js';
import { badRequestDetail, errorInfoDetail, type OutgoingDetail } from './error-details.js';

/** The ConnectError a client sees for a DomainError. */
export function connectErrorOf(e: DomainError): ConnectError {
  const details: OutgoingDetail[] = [];
  if (e.reason) details.push(errorInfoDetail(e.reason, e.metadata));
  if (e.fieldViolations.length > 0) details.push(badRequestDetail(e.fieldViolations));
  return new ConnectError(e.message, ERROR_MAP[e.code].grpc as Code, undefined, details);
}

export interface ErrorContext {
  readonly requestId: string;
  readonly classify: (e: unknown) => DomainError | undefined;
  readonly logError: (error: unknown) => void;
}

/** Turns anything a handler threw into what the client may see. */
export function toConnectError(error: unknown, ctx: ErrorContext): ConnectError {
  if (error instanceof ConnectError) return error;
  const mapped = toDomainError(error, ctx.requestId, ctx.classify);
  if (mapped.unexpected) ctx.logError(error);
  return connectErrorOf(mapped.error);
}

export { Code };
