import type { SigningKey } from "../../../core/auth/signing-key.ts";
import type { SigningKeyStore } from "../../../core/auth/signing-key-store.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";

/** The signing key ring in memory (unit tests, throwaway processes): lost on exit. */
export function createMemorySigningKeyStore(): SigningKeyStore {
  const keys = new Map<string, SigningKey>();
  const inStatus = (status: SigningKey["status"]) => [...keys.values()].find((key) => key.status === status);
  const change = (kid: string, fields: Partial<SigningKey>) => keys.set(kid, { ...keys.get(kid)!, ...fields });

  return {
    async current() {
      return inStatus("current");
    },

    async published() {
      return [...keys.values()]
        .filter((key) => key.status !== "retired")
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.kid < b.kid ? 1 : -1));
    },

    async add(key, as, at) {
      if (keys.has(key.kid)) throw alreadyExists("AUTH.SIGNING_KEY_EXISTS", `signing key ${key.kid} exists already`);
      if (inStatus(as)) throw ringChanged(`a ${as} signing key exists already`);
      const stored: SigningKey = {
        kid: key.kid,
        algorithm: key.algorithm,
        publicJwk: { ...key.publicJwk },
        privateKeyPkcs8: key.privateKeyPkcs8,
        status: as,
        createdAt: at,
        activatedAt: as === "current" ? at : undefined,
        deactivatedAt: undefined,
        verifyUntil: undefined,
        retiredAt: undefined,
      };
      keys.set(key.kid, stored);
      return stored;
    },

    async rotate({ to, from, at, previousVerifyUntil }) {
      const current = inStatus("current");
      if (current?.kid !== from)
        throw ringChanged(from ? `signing key ${from} is no longer current` : "another signing key is current");
      if (keys.get(to)?.status !== "next") throw ringChanged(`signing key ${to} is not the next key`);
      if (from !== undefined) change(from, { status: "previous", deactivatedAt: at, verifyUntil: previousVerifyUntil });
      change(to, { status: "current", activatedAt: at });
    },

    async retire(kid, at) {
      if (!keys.has(kid) || keys.get(kid)?.status === "retired") return;
      change(kid, { status: "retired", retiredAt: at, privateKeyPkcs8: "" });
    },
  };
}

const ringChanged = (message: string) => conflict("AUTH.KEY_RING_CHANGED", message);
