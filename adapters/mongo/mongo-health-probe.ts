import type { Db } from "mongodb";
import { type HealthProbe, untilAborted } from "../../core/kit/health.ts";

/** Ready while the database answers a ping. */
export function mongoHealthProbe(name: string, db: Db): HealthProbe {
  return {
    name,
    ping: (signal) => untilAborted(db.command({ ping: 1 }), signal).then(() => undefined),
  };
}
