/**
 * Expected failures, each with a stable code that clients may branch on
 * (`USER.EMAIL_TAKEN`) and a kind that decides the RPC status. The single mapping from kind
 * to gRPC/Connect code lives in adapters/rpc/error-mapping.ts; the core never names an RPC code.
 */
export type DomainErrorKind =
  | "invalid"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "conflict"
  | "unauthenticated"
  | "permission_denied"
  | "rate_limited"
  | "unavailable";

export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly kind: DomainErrorKind;
  readonly code: string;
  /** The request field at fault, dotted for nested fields (`address.postal_code`). */
  readonly field: string | undefined;
  /** How long a rate-limited caller should wait before trying again. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: DomainErrorKind,
    code: string,
    message: string,
    options: { field?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const invalidField = (field: string, reason: string, code = "INVALID_ARGUMENT") =>
  new DomainError("invalid", code, `${field}: ${reason}`, { field });

export const notFound = (what: string, id: string, code = `${what.toUpperCase()}.NOT_FOUND`) =>
  new DomainError("not_found", code, `${what} ${id} not found`);

export const alreadyExists = (code: string, message: string) => new DomainError("already_exists", code, message);

export const failedPrecondition = (code: string, message: string) => new DomainError("failed_precondition", code, message);

/** A lost race (stale version, concurrent update): the caller may re-read and retry. */
export const conflict = (code: string, message: string) => new DomainError("conflict", code, message);

export const unauthenticated = (message = "authentication required", code = "AUTH.UNAUTHENTICATED") =>
  new DomainError("unauthenticated", code, message);

export const permissionDenied = (message = "not allowed", code = "AUTH.PERMISSION_DENIED") =>
  new DomainError("permission_denied", code, message);

export const rateLimited = (code: string, message: string, retryAfterMs: number) =>
  new DomainError("rate_limited", code, message, { retryAfterMs });

export const unavailable = (code: string, message: string, cause?: unknown) =>
  new DomainError("unavailable", code, message, { cause });

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
