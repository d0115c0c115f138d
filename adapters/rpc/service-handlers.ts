import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { correlationIdFrom } from "../../core/kit/request-context.ts";
import { randomId } from "../../core/kit/ids.ts";
import { withLogFields } from "../observability/log-context.ts";
import type { Logger } from "../observability/logger.ts";
import { CORRELATION_HEADER, callScopeKey, type IdentityResolver, tenantFromHeader } from "./call-context.ts";
import { toConnectError } from "./error-mapping.ts";
import { validateRequest } from "./request-validation.ts";

export interface HandlerOptions {
  readonly logger: Logger;
  readonly resolveIdentity?: IdentityResolver;
  /** Methods (proto names) for other services only: served over gRPC, never to browsers. */
  readonly internalMethods?: readonly string[];
}

/** A service's handlers, wrapped once and then served over both gRPC and Connect. */
export interface ServiceHandlers<S extends DescService = DescService> {
  readonly service: S;
  readonly impl: ServiceImpl<S>;
  readonly internalMethods: ReadonlySet<string>;
}

/**
 * Wraps every method of `impl` with what each call needs, whatever the transport: a
 * correlation id (taken from the caller or made, echoed back), the caller's identity, the
 * contract's validation rules, log fields for the call, and the single error mapping.
 */
export function serviceHandlers<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options: HandlerOptions,
): ServiceHandlers<S> {
  const resolveIdentity = options.resolveIdentity ?? tenantFromHeader;
  const internalMethods = new Set(options.internalMethods ?? []);
  for (const name of internalMethods) {
    if (!service.methods.some((m) => m.name === name)) throw new Error(`${service.typeName} has no method ${name}`);
  }
  const wrapped: Record<string, unknown> = {};
  for (const method of service.methods) {
    const inner = (impl as Record<string, (...args: never[]) => unknown>)[method.localName];
    if (typeof inner !== "function") throw new Error(`${service.typeName}: no handler for ${method.name}`);
    const begin = async (input: unknown, ctx: HandlerContext) => {
      const correlationId = correlationIdFrom(ctx.requestHeader.get(CORRELATION_HEADER), randomId);
      ctx.responseHeader.set(CORRELATION_HEADER, correlationId);
      const identity = await resolveIdentity(ctx.requestHeader, method);
      ctx.values.set(callScopeKey, { ...identity, correlationId });
      if (method.methodKind === "unary" || method.methodKind === "server_streaming")
        validateRequest(method.input, input as never);
      return { correlationId, tenant: identity.tenantId, rpc: `${service.typeName}/${method.name}` };
    };
    const fail = (error: unknown) =>
      toConnectError(error, (cause) => options.logger.error({ err: cause, rpc: method.name }, "unexpected failure"));
    wrapped[method.localName] = isStreamingResponse(method)
      ? async function* (input: unknown, ctx: HandlerContext) {
          const fields = await begin(input, ctx).catch((error) => Promise.reject(fail(error)));
          try {
            // Each step runs inside the call's log fields; a plain yield* would lose them.
            const responses = withLogFields(fields, () => inner(input as never, ctx as never) as AsyncIterable<unknown>);
            const iterator = responses[Symbol.asyncIterator]();
            for (;;) {
              const step = await withLogFields(fields, () => iterator.next());
              if (step.done) return;
              yield step.value;
            }
          } catch (error) {
            throw fail(error);
          }
        }
      : async (input: unknown, ctx: HandlerContext) => {
          try {
            const fields = await begin(input, ctx);
            return await withLogFields(fields, () => inner(input as never, ctx as never));
          } catch (error) {
            throw fail(error);
          }
        };
  }
  return { service, impl: wrapped as ServiceImpl<S>, internalMethods };
}

function isStreamingResponse(method: DescMethod): boolean {
  return method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
}
