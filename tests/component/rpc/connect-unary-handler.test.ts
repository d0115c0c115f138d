import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { invalidField, notFound } from "../../../core/kit/domain-error.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { connectRoutes } from "../../../adapters/rpc/connect-routes.ts";
import { serviceHandlers } from "../../../adapters/rpc/service-handlers.ts";
import {
  CatalogService,
  GetProductRequestSchema,
  type GetProductResponse,
  GetProductResponseSchema,
} from "../../../gen/shop/catalog/v1/catalog_pb.ts";

// Our Connect unary handler (connect-routes.ts) against connect-node's own, same handlers behind
// both: every answer must be the same bytes with the same headers, except that ours reuses a
// frozen answer's bytes.

const eur = (amountMinor: bigint) => ({ amountMinor, currencyCode: "EUR" });
/** A product answer with what makes JSON costly (int64s, timestamps, nesting), over 1 KiB so it is compressed. */
const productAnswer = (name: string): GetProductResponse =>
  create(GetProductResponseSchema, {
    product: {
      productId: "p-1",
      version: 7n,
      name,
      description: Array.from({ length: 160 }, (_, i) => `word${i}`).join(" "),
      brand: "Acme",
      variants: [
        { sku: "SKU-1", price: eur(123_053n), attributes: [{ name: "size", value: "45" }] },
        { sku: "SKU-2", price: eur(9_007_199_254_740_993n) },
      ],
      minPrice: eur(123_053n),
      maxPrice: eur(9_007_199_254_740_993n),
      createTime: timestampFromDate(new Date("2026-11-25T19:38:00.123Z")),
      updateTime: timestampFromDate(new Date("2026-11-26T08:00:00Z")),
    },
  });

let frozen: GetProductResponse;
let open: GetProductResponse;
beforeEach(() => {
  frozen = Object.freeze(productAnswer("Mug"));
  open = productAnswer("Mug");
});

// The product id picks the handler's behaviour.
const getProduct = async (request: { productId: string }, ctx: HandlerContext) => {
  switch (request.productId) {
    case "frozen":
      return frozen;
    case "open":
      return open;
    case "frozen-plain-object":
      return Object.freeze({ product: { productId: "p-2", name: "Plain" } });
    case "with-headers":
      ctx.responseHeader.set("x-extra", "1");
      ctx.responseTrailer.set("x-trailer", "2");
      return frozen;
    case "missing":
      throw notFound("product", request.productId);
    case "invalid":
      throw invalidField("product_id", "not one of ours");
    case "bug":
      throw new Error("a secret in a stack trace");
    case "slow":
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      throw ctx.signal.reason;
    default:
      throw new Error(`unexpected ${request.productId}`);
  }
};
const impl = Object.fromEntries(
  CatalogService.methods.map((m) => [m.localName, m.localName === "getProduct" ? getProduct : () => ({})]),
) as unknown as ServiceImpl<typeof CatalogService>;

const servers: http.Server[] = [];
let ours: number;
let connectNode: number;

async function listen(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const handlers = serviceHandlers(CatalogService, impl, { logger: createLogger("connect-handler-test", "silent") });
  ours = await listen(connectNodeAdapter({ routes: connectRoutes([handlers]) }));
  connectNode = await listen(
    connectNodeAdapter({
      routes: (router) => {
        for (const method of CatalogService.methods)
          router.rpc(method as never, (handlers.impl as unknown as Record<string, never>)[method.localName]!);
      },
    }),
  );
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

interface RawRequest {
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}
interface RawResponse {
  readonly status: number;
  /** In wire order, without Date (it differs by the clock). */
  readonly headers: string[];
  readonly body: Buffer;
}

function send(port: number, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: request.method ?? "POST",
        path: request.path,
        // A correlation id is made when absent: send one so both answers echo the same.
        headers: { "x-correlation-id": "corr-1", ...request.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            if (res.rawHeaders[i]!.toLowerCase() !== "date") headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
          resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

/** Sends the request to both servers and expects the same answer; returns ours. */
async function sameAnswer(request: RawRequest): Promise<RawResponse> {
  const [mine, theirs] = [await send(ours, request), await send(connectNode, request)];
  expect(mine.status).toBe(theirs.status);
  expect(mine.headers).toEqual(theirs.headers);
  expect(mine.body.toString("base64")).toBe(theirs.body.toString("base64"));
  return mine;
}

const path = `/${CatalogService.typeName}/GetProduct`;
const json = (productId: string, headers: Record<string, string> = {}): RawRequest => ({
  path,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ productId }),
});
const proto = (productId: string, headers: Record<string, string> = {}): RawRequest => ({
  path,
  headers: { "content-type": "application/proto", ...headers },
  body: toBinary(GetProductRequestSchema, create(GetProductRequestSchema, { productId })),
});
const nameIn = (response: RawResponse) => JSON.parse(response.body.toString()).product.name;

describe("Connect unary handler: the same answers as connect-node's", () => {
  it.each([
    ["JSON, a frozen answer", json("frozen")],
    [
      "JSON with charset and the protocol version header",
      json("frozen", { "content-type": "application/json; charset=utf-8", "connect-protocol-version": "1" }),
    ],
    ["JSON, an answer that is not frozen", json("open")],
    ["JSON, a frozen plain object (not a message: normalized, serialized each call)", json("frozen-plain-object")],
    ["binary, a frozen answer", proto("frozen")],
    ["binary, an answer that is not frozen", proto("open")],
    ["JSON, gzip accepted", json("frozen", { "accept-encoding": "gzip" })],
    ["JSON, brotli preferred", json("frozen", { "accept-encoding": "br, gzip" })],
    ["binary, gzip accepted", proto("frozen", { "accept-encoding": "gzip" })],
    ["JSON, not frozen, gzip accepted", json("open", { "accept-encoding": "gzip" })],
    ["JSON, an unknown request encoding", json("frozen", { "content-encoding": "zstd" })],
    ["response headers and trailers", json("with-headers")],
    ["a domain NOT_FOUND", json("missing")],
    ["an error to a binary request (answered in JSON)", proto("missing")],
    ["a domain INVALID_ARGUMENT naming its field", json("invalid")],
    ["a failure of the handler (INTERNAL, cause hidden)", json("bug")],
    ["a request the contract rejects (product_id required)", json("")],
    ["an error when gzip is accepted", json("missing", { "accept-encoding": "gzip" })],
    ["a deadline that passes", json("slow", { "connect-timeout-ms": "30" })],
    ["an unreadable deadline", json("frozen", { "connect-timeout-ms": "soon" })],
    ["malformed JSON", { ...json("frozen"), body: "{productId:" }],
    ["an unknown field (ignored)", { ...json("frozen"), body: JSON.stringify({ productId: "frozen", colour: "red" }) }],
    ["a content type Connect does not speak", { ...json("frozen"), headers: { "content-type": "text/plain" } }],
    [
      "a streaming content type on a unary method",
      { ...json("frozen"), headers: { "content-type": "application/connect+json" } },
    ],
    [
      "GET, JSON (a NO_SIDE_EFFECTS method)",
      { method: "GET", path: `${path}?encoding=json&message=${encodeURIComponent('{"productId":"frozen"}')}` },
    ],
    [
      "GET, base64 binary",
      {
        method: "GET",
        path: `${path}?encoding=proto&base64=1&message=${encodeURIComponent(Buffer.from(toBinary(GetProductRequestSchema, create(GetProductRequestSchema, { productId: "frozen" }))).toString("base64url"))}`,
      },
    ],
    ["GET, an unknown encoding", { method: "GET", path: `${path}?encoding=xml&message=x` }],
    [
      "GET on a method with side effects",
      { method: "GET", path: `/${CatalogService.typeName}/CreateProduct?encoding=json&message={}` },
    ],
    [
      "gRPC-Web (connect-node's handler on both)",
      {
        path,
        headers: { "content-type": "application/grpc-web+proto" },
        body: envelope(toBinary(GetProductRequestSchema, create(GetProductRequestSchema, { productId: "frozen" }))),
      },
    ],
  ] as [string, RawRequest][])("%s (twice: the second may reuse the first's bytes)", async (_name, request) => {
    await sameAnswer(request);
    await sameAnswer(request);
  });

  it("when the request body is gzip-compressed, then both read it alike", async () => {
    const { gzipSync } = await import("node:zlib");
    await sameAnswer({
      ...json("frozen"),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify({ productId: "frozen" })),
    });
  });
});

describe("Connect unary handler: frozen answers serialized once", () => {
  it("when a handler returns the same frozen message, then its JSON, binary and gzip bytes are computed once and reused", async () => {
    expect(nameIn(await send(ours, json("frozen")))).toBe("Mug");
    const binary = (await send(ours, proto("frozen"))).body;
    const gzipped = (await send(ours, json("frozen", { "accept-encoding": "gzip" }))).body;
    // Freezing is shallow: a nested change to a frozen answer breaks its promise, and shows
    // that ours answers from the bytes made the first time while connect-node serializes again.
    frozen.product!.name = "Changed behind our back";
    expect(nameIn(await send(ours, json("frozen")))).toBe("Mug");
    expect((await send(ours, proto("frozen"))).body.equals(binary)).toBe(true);
    expect((await send(ours, json("frozen", { "accept-encoding": "gzip" }))).body.equals(gzipped)).toBe(true);
    expect(nameIn(await send(connectNode, json("frozen")))).toBe("Changed behind our back");
  });

  it("when one frozen answer is asked for with different encodings, then each gets its own compressed copy", async () => {
    for (const accept of ["gzip", "br", "gzip", "br"]) await sameAnswer(json("frozen", { "accept-encoding": accept }));
  });

  it("when the handler returns a new frozen message (the product changed), then it is serialized afresh: no stale bytes", async () => {
    await send(ours, json("frozen"));
    await send(ours, json("frozen", { "accept-encoding": "gzip" }));
    frozen = Object.freeze(productAnswer("Cup"));
    expect(nameIn(await sameAnswer(json("frozen")))).toBe("Cup");
    const gzipped = await sameAnswer(json("frozen", { "accept-encoding": "gzip" }));
    expect(JSON.parse(gunzipSync(gzipped.body).toString()).product.name).toBe("Cup");
    expect(fromBinary(GetProductResponseSchema, (await sameAnswer(proto("frozen"))).body).product?.name).toBe("Cup");
  });

  it("when an answer is not frozen, then every call serializes it (a change shows at once, as with connect-node)", async () => {
    expect(nameIn(await sameAnswer(json("open")))).toBe("Mug");
    open.product!.name = "Cup";
    expect(nameIn(await sameAnswer(json("open")))).toBe("Cup");
    expect(fromBinary(GetProductResponseSchema, (await sameAnswer(proto("open"))).body).product?.name).toBe("Cup");
  });
});

function envelope(message: Uint8Array): Uint8Array {
  const framed = new Uint8Array(5 + message.byteLength);
  new DataView(framed.buffer).setUint32(1, message.byteLength);
  framed.set(message, 5);
  return framed;
}
