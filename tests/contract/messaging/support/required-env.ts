export { requiredEnv } from "../../../support/required-env.ts";
