// Loads the Envoy ExtProc protos: the API tree shipped by @grpc/grpc-js-xds, overlaid by ../proto
// (the newer FULL_DUPLEX_STREAMED fields that tree lacks). The TS types below cover what we use.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Options shared by the server and test clients: snake_case fields, enums as names, oneof names set. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

export const EXT_PROC_SERVICE = 'envoy.service.ext_proc.v3.ExternalProcessor';

/** Directories searched for imports: our overlay first, then the Envoy, xds, validate and googleapis trees. */
export function protoIncludeDirs(): string[] {
  const xds = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  return [
    path.resolve(here, '..', 'proto'),
    ...['envoy-api', 'xds', 'protoc-gen-validate', 'googleapis'].map((d) => path.join(xds, 'deps', d)),
  ];
}

let cached: protoLoader.PackageDefinition | undefined;

/** The ext_proc package definition (parsed once per process: it takes ~150 ms). */
export function loadExtProcDefinition(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync('envoy/service/ext_proc/v3/external_processor.proto', {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: protoIncludeDirs(),
  });
  return cached;
}

// ------------------------------------------------------------------ message shapes (subset)

export type BodySendMode = 'NONE' | 'STREAMED' | 'BUFFERED' | 'BUFFERED_PARTIAL' | 'FULL_DUPLEX_STREAMED';

export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Buffer | Uint8Array;
}

export interface HttpHeaders {
  headers?: { headers?: HeaderValue[] };
  end_of_stream?: boolean;
}

export interface HttpBody {
  body?: Buffer | Uint8Array;
  end_of_stream?: boolean;
}

export interface ProcessingRequest {
  request?: 'request_headers' | 'response_headers' | 'request_body' | 'response_body' | 'request_trailers' | 'response_trailers';
  request_headers?: HttpHeaders;
  response_headers?: HttpHeaders;
  request_body?: HttpBody;
  response_body?: HttpBody;
  request_trailers?: { trailers?: { headers?: HeaderValue[] } };
  response_trailers?: { trailers?: { headers?: HeaderValue[] } };
  observability_mode?: boolean;
  protocol_config?: { request_body_mode?: BodySendMode; response_body_mode?: BodySendMode };
}

export interface HeaderValueOption {
  header: { key: string; raw_value: Buffer };
  append_action?: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
}

export interface HeaderMutation {
  set_headers?: HeaderValueOption[];
  remove_headers?: string[];
}

export interface BodyMutation {
  body?: Buffer;
  clear_body?: boolean;
  streamed_response?: { body: Buffer; end_of_stream: boolean };
}

export interface CommonResponse {
  status?: 'CONTINUE' | 'CONTINUE_AND_REPLACE';
  header_mutation?: HeaderMutation;
  body_mutation?: BodyMutation;
  clear_route_cache?: boolean;
}

export interface ImmediateResponse {
  status: { code: number };
  headers?: HeaderMutation;
  body?: Buffer;
  details?: string;
}

export interface ProcessingResponse {
  request_headers?: { response?: CommonResponse };
  response_headers?: { response?: CommonResponse };
  request_body?: { response?: CommonResponse };
  response_body?: { response?: CommonResponse };
  request_trailers?: { header_mutation?: HeaderMutation };
  response_trailers?: { header_mutation?: HeaderMutation };
  immediate_response?: ImmediateResponse;
  mode_override?: { response_body_mode?: BodySendMode; request_body_mode?: BodySendMode };
}
