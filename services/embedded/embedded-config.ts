import { z } from "zod";
import { port, processConfigFields } from "../runtime/process-config.ts";

export const embeddedConfigSchema = z.object({
  ...processConfigFields,
  SHOPMESH_PORT: port(8080),
  /** SQLite files of the embedded contexts; kept across restarts. */
  SHOPMESH_DATA_DIR: z.string().min(1).default(".data/embedded"),
});

export type EmbeddedConfig = z.infer<typeof embeddedConfigSchema>;
