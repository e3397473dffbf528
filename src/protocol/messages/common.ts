/** Building blocks shared by the ARCP message schemas (§5, §9, §12). */
import { z } from "zod";
import { ERROR_CODES } from "../error-codes.js";

export const NonEmptyString = z.string().min(1);

/** §12 error payload; `retryable` rules are applied when errors are built, not parsed. */
export const ErrorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: NonEmptyString,
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** §9.1 lease as it travels: capability → patterns. Grammar is checked by src/lease. */
export const LeaseSchema = z.record(NonEmptyString, z.array(NonEmptyString));
export type LeaseWire = z.infer<typeof LeaseSchema>;

/** §9.5 lease constraints. `expires_at` format and futurity are checked by src/lease. */
export const LeaseConstraintsSchema = z.object({
  expires_at: NonEmptyString.optional(),
});
export type LeaseConstraintsWire = z.infer<typeof LeaseConstraintsSchema>;

/** §9.8.1 provisioned credential. */
export const CredentialSchema = z.object({
  id: NonEmptyString,
  scheme: NonEmptyString,
  value: NonEmptyString,
  endpoint: NonEmptyString,
  profile: NonEmptyString.optional(),
  constraints: z
    .object({
      "cost.budget": z.array(NonEmptyString).optional(),
      "model.use": z.array(NonEmptyString).optional(),
      expires_at: NonEmptyString.optional(),
    })
    .optional(),
});
export type Credential = z.infer<typeof CredentialSchema>;

/** §9.6 budget counters as displayed: currency → amount. */
export const BudgetSchema = z.record(NonEmptyString, z.number());
