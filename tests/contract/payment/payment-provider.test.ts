import { afterAll, beforeAll } from "vitest";
import { MemorySandboxProvider } from "../../../adapters/memory/payment/memory-sandbox-provider.ts";
import { createStripeHttpProvider } from "../../../adapters/payment-provider/stripe-http-provider.ts";
import { paymentProviderContract } from "./payment-provider.contract.ts";
import { type SandboxProcess, startSandboxProcess } from "./support/sandbox-process.ts";

paymentProviderContract("in-memory sandbox", async () => {
  const provider = new MemorySandboxProvider();
  return { provider, chargesFor: async (tenant, orderId) => provider.chargesFor(tenant, orderId), dispose: async () => {} };
});

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess({ lateMs: 600, hangMs: 900 });
});
afterAll(async () => {
  await sandbox?.stop();
});

paymentProviderContract("Stripe-shaped HTTP adapter on the sandbox process", async () => ({
  provider: createStripeHttpProvider({ name: "sandbox", baseUrl: sandbox.url, secretKey: sandbox.secretKey, timeoutMs: 250 }),
  chargesFor: (tenant, orderId) => sandbox.chargesFor(tenant, orderId),
  dispose: async () => {},
}));
