import { type DescMethod, fromJson } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createHandlerContext, type MethodImplSpec } from "@connectrpc/connect";
import {
  type Compression,
  compressionNegotiate,
  createAsyncIterable,
  createMethodSerializationLookup,
  invokeUnaryImplementation,
  mergeNonProtocolHeaders,
  type ProtocolHandlerFactory,
  readAllBytes,
  type UniversalHandler,
  type UniversalHandlerOptions,
  type UniversalServerRequest,
  type UniversalServerResponse,
  uResponseMethodNotAllowed,
  uResponseOk,
  uResponseUnsupportedMediaType,
} from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  createHandlerFactory,
  errorToJsonBytes,
  headerContentType,
  headerProtocolVersion,
  headerTimeout,
  headerUnaryAcceptEncoding,
  headerUnaryContentLength,
  headerUnaryEncoding,
  parseContentType,
  parseTimeout,
  protocolVersion,
  trailerMux,
} from "@connectrpc/connect/protocol-connect";
import { isFrozenObject, serializeFrozenOnce } from "./frozen-response-bytes.ts";

type UnarySpec = MethodImplSpec & { kind: "unary" };
type Body = Uint8Array<ArrayBufferLike>;

/**
 * The Connect protocol's handlers as connect-node 2.2.0 makes them, except that a unary answer
 * that is a frozen message is serialized once per format (JSON, binary) and, when compressed,
 * compressed once per encoding (see frozen-response-bytes.ts). connect-node builds its serializer
 * inside its handler, with no hook to reuse bytes, so the unary handler below is its
 * `createUnaryHandler` (protocol-connect/handler-factory.js) with that one change; streaming
 * methods get connect-node's own handler. On a connect upgrade, re-read that function:
 * tests/component/rpc/connect-unary-handler.test.ts compares both handlers' answers byte for byte.
 */
export function connectHandlerFactory(options: UniversalHandlerOptions): ProtocolHandlerFactory {
  const connectNode = createHandlerFactory(options);
  const factory = (spec: MethodImplSpec): UniversalHandler => {
    const standard = connectNode(spec);
    if (spec.kind !== "unary") return standard;
    const { protocolNames, supportedContentType, allowedMethods, requestPath, service, method } = standard;
    return Object.assign(unaryHandler(options, spec), {
      protocolNames,
      supportedContentType,
      allowedMethods,
      requestPath,
      service,
      method,
    });
  };
  return Object.assign(factory, { protocolName: connectNode.protocolName });
}

function unaryHandler(
  opt: UniversalHandlerOptions,
  spec: UnarySpec,
): (req: UniversalServerRequest) => Promise<UniversalServerResponse> {
  const serialization = createMethodSerializationLookup(spec.method, opt.binaryOptions, opt.jsonOptions, opt);
  const outputJson = serialization.getO(false);
  const outputBinary = serialization.getO(true);
  const serializeJson = serializeFrozenOnce((message) => outputJson.serialize(message as never));
  const serializeBinary = serializeFrozenOnce((message) => outputBinary.serialize(message as never));
  const compressOnce = compressedOnce();

  return async function handle(req) {
    const isGet = req.method === "GET";
    if (isGet && spec.method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) return uResponseMethodNotAllowed;
    const queryParams = new URL(req.url).searchParams;
    const compressionRequested = isGet ? queryParams.get("compression") : req.header.get(headerUnaryEncoding);
    const type = isGet ? parseEncodingQuery(queryParams.get("encoding")) : parseContentType(req.header.get(headerContentType));
    if (type === undefined || type.stream) return uResponseUnsupportedMediaType;
    const timeout = parseTimeout(req.header.get(headerTimeout), opt.maxTimeoutMs);
    const context = createHandlerContext({
      ...spec,
      service: spec.method.parent,
      requestMethod: req.method,
      protocolName: "connect",
      timeoutMs: timeout.timeoutMs,
      shutdownSignal: opt.shutdownSignal,
      requestSignal: req.signal,
      requestHeader: req.header,
      url: req.url,
      responseHeader: { [headerContentType]: type.binary ? contentTypeUnaryProto : contentTypeUnaryJson },
      contextValues: req.contextValues,
    });
    const compression = compressionNegotiate(
      opt.acceptCompression,
      compressionRequested,
      req.header.get(headerUnaryAcceptEncoding),
      headerUnaryAcceptEncoding,
    );
    let status = uResponseOk.status;
    let body: Body;
    let reusable = false;
    try {
      if (opt.requestGate !== undefined) await opt.requestGate(context);
      if (opt.requireConnectProtocolHeader) {
        if (isGet) requireProtocolVersionParam(queryParams);
        else requireProtocolVersionHeader(req.header);
      }
      if (compression.error) throw compression.error;
      if (timeout.error) throw timeout.error;
      const requestBytes = isGet
        ? await readUnaryMessageFromQuery(opt.readMaxBytes, compression.request, queryParams)
        : await readUnaryMessageFromBody(opt.readMaxBytes, compression.request, req);
      const input = parseUnaryMessage(spec.method, type.binary, serialization, requestBytes);
      const output = await invokeUnaryImplementation(spec, context, input, opt.interceptors);
      body = type.binary ? serializeBinary(output) : serializeJson(output);
      reusable = isFrozenObject(output);
    } catch (e) {
      context.abort(e);
      const error = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
      status = codeToHttpStatus(error.code);
      context.responseHeader.set(headerContentType, contentTypeUnaryJson);
      // As connect-node: an error parsed from the wire relays its payload, not its metadata.
      if (!error.isWireError) mergeNonProtocolHeaders(context.responseHeader, error.metadata);
      body = errorToJsonBytes(error, opt.jsonOptions);
    } finally {
      context.abort();
    }
    if (compression.response && body.byteLength >= opt.compressMinBytes) {
      body = reusable ? await compressOnce(compression.response, body) : await compression.response.compress(body);
      context.responseHeader.set(headerUnaryEncoding, compression.response.name);
    }
    const header = trailerMux(context.responseHeader, context.responseTrailer);
    header.set(headerUnaryContentLength, body.byteLength.toString(10));
    return { status, body: createAsyncIterable([body]), header };
  };
}

/** Compressed copies of reused bodies, per encoding: they live as long as the body bytes do. */
function compressedOnce(): (compression: Compression, body: Body) => Promise<Body> {
  const copies = new WeakMap<Body, Map<string, Body>>();
  return async (compression, body) => {
    const known = copies.get(body)?.get(compression.name);
    if (known) return known;
    const compressed = await compression.compress(body);
    const byName = copies.get(body) ?? new Map<string, Body>();
    byName.set(compression.name, compressed);
    copies.set(body, byName);
    return compressed;
  };
}

async function readUnaryMessageFromBody(
  readMaxBytes: number,
  compression: Compression | null,
  request: UniversalServerRequest,
): Promise<Body | UniversalServerRequest["body"]> {
  const body = request.body;
  if (typeof body === "object" && body !== null && Symbol.asyncIterator in body) {
    let bytes = await readAllBytes(body, readMaxBytes, request.header.get(headerUnaryContentLength));
    if (compression) bytes = await compression.decompress(bytes, readMaxBytes);
    return bytes;
  }
  return body;
}

async function readUnaryMessageFromQuery(
  readMaxBytes: number,
  compression: Compression | null,
  queryParams: URLSearchParams,
): Promise<Body> {
  const message = queryParams.get("message") ?? "";
  let decoded: Body = queryParams.get("base64") === "1" ? base64Decode(message) : new TextEncoder().encode(message);
  if (compression) decoded = await compression.decompress(decoded, readMaxBytes);
  return decoded;
}

function parseUnaryMessage(
  method: DescMethod,
  binary: boolean,
  serialization: ReturnType<typeof createMethodSerializationLookup>,
  input: Body | UniversalServerRequest["body"],
) {
  if (input instanceof Uint8Array) return serialization.getI(binary).parse(input);
  if (binary)
    throw new ConnectError("received parsed JSON request body, but content-type indicates binary format", Code.Internal);
  try {
    return fromJson(method.input, input as never);
  } catch (e) {
    throw ConnectError.from(e, Code.InvalidArgument);
  }
}

function parseEncodingQuery(encoding: string | null): { stream: boolean; binary: boolean } | undefined {
  if (encoding === "proto") return { stream: false, binary: true };
  if (encoding === "json") return { stream: false, binary: false };
  return undefined;
}

function requireProtocolVersionHeader(requestHeader: Headers): void {
  const version = requestHeader.get(headerProtocolVersion);
  if (version === null)
    throw new ConnectError(`missing required header: set ${headerProtocolVersion} to "${protocolVersion}"`, Code.InvalidArgument);
  if (version !== protocolVersion)
    throw new ConnectError(`${headerProtocolVersion} must be "${protocolVersion}": got "${version}"`, Code.InvalidArgument);
}

function requireProtocolVersionParam(queryParams: URLSearchParams): void {
  const version = queryParams.get("connect");
  if (version === null)
    throw new ConnectError(`missing required parameter: set connect to "v${protocolVersion}"`, Code.InvalidArgument);
  if (version !== `v${protocolVersion}`)
    throw new ConnectError(`connect must be "v${protocolVersion}": got "${version}"`, Code.InvalidArgument);
}
