import { create, fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { grpcMethodDefinition } from "../../../adapters/rpc/grpc-bridge.ts";
import { CatalogService, GetProductResponseSchema } from "../../../gen/shop/catalog/v1/catalog_pb.ts";

describe("grpc bridge response serialization", () => {
  const method = CatalogService.method.getProduct;
  const serialize = grpcMethodDefinition(method).responseSerialize;
  const response = () => create(GetProductResponseSchema, { product: { productId: "p-1", name: "Mug" } });

  it("when a response is frozen, then its bytes are computed once and reused", () => {
    const frozen = Object.freeze(response());
    const first = serialize(frozen);
    expect(serialize(frozen)).toBe(first);
    expect(fromBinary(GetProductResponseSchema, first).product?.name).toBe("Mug");
  });

  it("when a response is not frozen, then every call serializes it afresh (a change shows)", () => {
    const open = response();
    const first = serialize(open);
    open.product!.name = "Cup";
    const second = serialize(open);
    expect(second).not.toBe(first);
    expect(fromBinary(GetProductResponseSchema, second).product?.name).toBe("Cup");
  });
});
