/**
 * A handler that answers many calls with one cached response message freezes it (e.g. GetProduct
 * from the near cache): a frozen response is serialized once and its bytes are reused, by the
 * grpc-js bridge (binary) and by the Connect handler (JSON or binary). `Object.freeze` is shallow:
 * freeze only a message whose nested fields nothing will change either. Any other response is
 * serialized on every call.
 */
export function serializeFrozenOnce<B>(serialize: (message: unknown) => B): (message: unknown) => B {
  const bytesOf = new WeakMap<object, B>();
  return (message) => {
    if (!isFrozenObject(message)) return serialize(message);
    let bytes = bytesOf.get(message);
    if (bytes === undefined) {
      bytes = serialize(message);
      bytesOf.set(message, bytes);
    }
    return bytes;
  };
}

export function isFrozenObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && Object.isFrozen(value);
}
