// google.rpc.ErrorInfo and google.rpc.BadRequest, the two error details our google.rpc.Status carries, as
// generated from googleapis' own google/rpc/error_details.proto (vendored in proto/google/rpc/), so gRPC
// clients decode grpc-status-details-bin with any googleapis-generated code.
import { create } from '@bufbuild/protobuf';
import type { ConnectError } from '@connectrpc/connect';
import type { FieldViolation } from '../../domain/errors.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../gen/google/rpc/error_details_pb.js';

export { BadRequestSchema, ErrorInfoSchema };
/** google.rpc.ErrorInfo's descriptor, under the name the transport and its tests used before codegen. */
export const ErrorInfoDesc = ErrorInfoSchema;
/** google.rpc.BadRequest's descriptor, likewise. */
export const BadRequestDesc = BadRequestSchema;

/** One outgoing detail of a ConnectError (Connect packs it into google.protobuf.Any). */
export type OutgoingDetail = NonNullable<ConstructorParameters<typeof ConnectError>[3]>[number];

/** ErrorInfo {reason, domain: "punchcard", metadata}. */
export function errorInfoDetail(reason: string, metadata: Readonly<Record<string, string>>): OutgoingDetail {
  return { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: 'punchcard', metadata: { ...metadata } }) };
}

/** BadRequest {fieldViolations: [{field, description}]}. */
export function badRequestDetail(violations: readonly FieldViolation[]): OutgoingDetail {
  const fieldViolations = violations.map((v) => ({ field: v.field, description: v.description }));
  return { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations }) };
}
