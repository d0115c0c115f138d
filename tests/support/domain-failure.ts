import { expect } from "vitest";
import { DomainError } from "../../core/kit/domain-error.ts";

/** The DomainError `work` failed with; the test fails if it succeeded or failed otherwise. */
export async function domainFailure(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
