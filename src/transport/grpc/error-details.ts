// google.rpc.ErrorInfo and google.rpc.BadRequest, the two error details our google.rpc.Status JSON carries,
// described at runtime from a hand-written FileDescriptorProto (same names and numbers as googleapis'
// google/rpc/error_details.proto), so gRPC clients get them in grpc-status-details-bin without more codegen.
import { create, createFileRegistry } from '@bufbuild/protobuf';
import type { DescMessage } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

const { STRING, MESSAGE } = FieldDescriptorProto_Type;
const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;

const field = (name: string, jsonName: string, number: number, type = STRING, label = OPTIONAL, typeName?: string) => ({
  name,
  jsonName,
  number,
  type,
  label,
  ...(typeName ? { typeName } : {}),
});

const file = create(FileDescriptorProtoSchema, {
  name: 'google/rpc/error_details.proto',
  package: 'google.rpc',
  syntax: 'proto3',
  messageType: [
    {
      name: 'ErrorInfo',
      field: [
        field('reason', 'reason', 1),
        field('domain', 'domain', 2),
        field('metadata', 'metadata', 3, MESSAGE, REPEATED, '.google.rpc.ErrorInfo.MetadataEntry'),
      ],
      nestedType: [{ name: 'MetadataEntry', field: [field('key', 'key', 1), field('value', 'value', 2)], options: { mapEntry: true } }],
    },
    {
      name: 'BadRequest',
      field: [field('field_violations', 'fieldViolations', 1, MESSAGE, REPEATED, '.google.rpc.BadRequest.FieldViolation')],
      nestedType: [{ name: 'FieldViolation', field: [field('field', 'field', 1), field('description', 'description', 2)] }],
    },
  ],
});

const registry = createFileRegistry(file, () => undefined);

function message(typeName: string): DescMessage {
  const desc = registry.getMessage(typeName);
  if (!desc) throw new Error(`${typeName} missing from the error details descriptor`);
  return desc;
}

/** google.rpc.ErrorInfo {reason, domain, metadata}. */
export const ErrorInfoDesc = message('google.rpc.ErrorInfo');
/** google.rpc.BadRequest {fieldViolations: [{field, description}]}. */
export const BadRequestDesc = message('google.rpc.BadRequest');
