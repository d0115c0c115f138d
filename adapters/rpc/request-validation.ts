import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import { DomainError } from "../../core/kit/domain-error.ts";

const validator = createValidator();

/**
 * Enforces the protovalidate rules written in the contract before a handler runs. A violation
 * is INVALID_ARGUMENT naming the first field at fault (all of them in the message), so bad
 * input never reaches the core, let alone a database.
 */
export function validateRequest<D extends DescMessage>(schema: D, message: MessageShape<D>): void {
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return;
  if (result.kind === "error") throw result.error;
  const problems = result.violations.map((v) => `${pathToString(v.field) || "(request)"}: ${v.message}`);
  const first = result.violations[0];
  throw new DomainError("invalid", "INVALID_ARGUMENT", problems.join("; "), {
    field: first ? pathToString(first.field) : undefined,
  });
}
