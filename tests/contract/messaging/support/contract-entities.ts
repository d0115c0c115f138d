import { defineEntity, p } from "@mikro-orm/core";

/** A stand-in aggregate whose state change travels with its events through the outbox. */
export const ContractOrder = defineEntity({
  name: "ContractOrder",
  tableName: "contract_orders",
  properties: {
    id: p.string().length(64).primary(),
    tenantId: p.string().length(63),
    status: p.string().length(32),
  },
});

/** A counter a consumer bumps once per handled event: a duplicate effect shows as 2. */
export const ContractTally = defineEntity({
  name: "ContractTally",
  tableName: "contract_tallies",
  properties: {
    name: p.string().length(128).primary(),
    count: p.integer(),
  },
});
