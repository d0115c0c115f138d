import type { EntityManager } from "@mikro-orm/core";
import { type HealthProbe, untilAborted } from "../../core/kit/health.ts";

/** Ready while the database answers a trivial query. */
export function mikroOrmHealthProbe(name: string, em: EntityManager): HealthProbe {
  return {
    name,
    ping: (signal) => untilAborted(em.getConnection().execute("select 1"), signal).then(() => undefined),
  };
}
