/**
 * The test tokens of the sandbox provider (the HTTP process and the in-memory adapter behave
 * the same way). Any other token is unknown to the provider: PAYMENT_METHOD_INVALID.
 */
export const SandboxTokens = {
  /** Charged at once. */
  success: "tok_success",
  /** Declined by the issuer (decline code `insufficient_funds`), not charged. */
  decline: "tok_decline",
  /** Never answers within the client's deadline, and never charges. */
  timeout: "tok_timeout",
  /** Charges, but answers only after the client's deadline: the hard case. */
  successAfterTimeout: "tok_success_after_timeout",
  /** Unknown to the provider. */
  invalid: "tok_invalid",
} as const;

export type SandboxBehaviour = "succeed" | "decline" | "hang" | "succeed_late" | "invalid";

export function sandboxBehaviourOf(token: string): SandboxBehaviour {
  switch (token) {
    case SandboxTokens.success:
      return "succeed";
    case SandboxTokens.decline:
      return "decline";
    case SandboxTokens.timeout:
      return "hang";
    case SandboxTokens.successAfterTimeout:
      return "succeed_late";
    default:
      return "invalid";
  }
}

export const SANDBOX_DECLINE_CODE = "insufficient_funds";
