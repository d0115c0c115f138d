import { z } from "zod";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";

export const authConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  SHOPMESH_PORT: port(7001),
  SHOPMESH_AUTH_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_auth"),
});
