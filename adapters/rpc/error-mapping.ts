import { Code, ConnectError } from "@connectrpc/connect";
import { type DomainErrorKind, isDomainError } from "../../core/kit/domain-error.ts";

/** The one mapping from domain failures to RPC codes (gRPC and Connect share the numbers). */
const CODE_BY_KIND: Record<DomainErrorKind, Code> = {
  invalid: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  conflict: Code.Aborted,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  rate_limited: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
};

/** Response metadata that carries a failure's stable code, field and retry hint to clients. */
export const ERROR_CODE_HEADER = "shop-error-code";
export const ERROR_FIELD_HEADER = "shop-error-field";
export const RETRY_AFTER_HEADER = "retry-after-ms";

/**
 * Turns anything a handler threw into a ConnectError. Unknown errors become INTERNAL with a
 * generic message (the cause is for the log, never for the caller); `report` sees them.
 */
export function toConnectError(error: unknown, report: (error: unknown) => void): ConnectError {
  if (isDomainError(error)) {
    const metadata = new Headers({ [ERROR_CODE_HEADER]: error.code });
    if (error.field) metadata.set(ERROR_FIELD_HEADER, error.field);
    if (error.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_HEADER, String(error.retryAfterMs));
    return new ConnectError(error.message, CODE_BY_KIND[error.kind], metadata);
  }
  if (error instanceof ConnectError) return error;
  report(error);
  return new ConnectError("internal error", Code.Internal);
}
