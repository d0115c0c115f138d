import { createMemorySigningKeyStore } from "../../../adapters/memory/auth/memory-signing-key-store.ts";
import type { SigningKeyStore } from "../../../core/auth/signing-key-store.ts";
import { describeSigningKeyStoreContract } from "./signing-key-store.contract.ts";

describeSigningKeyStoreContract("memory", async () => {
  let store: SigningKeyStore = createMemorySigningKeyStore();
  return {
    get store() {
      return store;
    },
    reset: async () => {
      store = createMemorySigningKeyStore();
    },
    dispose: async () => {},
  };
});
