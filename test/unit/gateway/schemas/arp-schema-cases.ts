/** Hand-made ARP edge cases (closure, bounds, nulls, keys, date-times) and their verdicts. */
import { EMITTED_OBJECT_CASES } from "./emitted-object-cases.js";
import type { SchemaCase } from "./schema-case-fixtures.js";
import { START_REQUEST_CASES } from "./start-request-cases.js";

export { FULL_START, type SchemaCase } from "./schema-case-fixtures.js";

/** Every case; each names the requirement it bears on in `req`. */
export const SCHEMA_CASES: readonly SchemaCase[] = [
  ...START_REQUEST_CASES,
  ...EMITTED_OBJECT_CASES,
];
