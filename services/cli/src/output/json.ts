import { toJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

/**
 * `--json` prints the RPC's response in the canonical proto3 JSON mapping
 * (lowerCamelCase fields, enum names, RFC 3339 timestamps), zero values included.
 */
export function toJsonText<D extends DescMessage>(schema: D, message: MessageShape<D>, pretty = true): string {
  return toJsonString(schema, message, { alwaysEmitImplicit: true, prettySpaces: pretty ? 2 : 0 });
}
