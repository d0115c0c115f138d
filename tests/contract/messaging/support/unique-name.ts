export { uniqueName } from "../../../support/unique-name.ts";
