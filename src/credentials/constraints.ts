/** Credential constraints in the spec's wire form (§9.8.1): `cost.budget`, `model.use`, `expires_at`. */
import { type Amount, formatAmount, formatExpiresAt } from "../lease/index.js";
import type { Credential } from "../protocol/messages/index.js";

/** The `constraints` object of a §9.8.1 credential. */
export type WireConstraints = NonNullable<Credential["constraints"]>;

/** Any exact constraint set: a request's or what an upstream enforces. */
export interface ConstraintSet {
  budget?: readonly Amount[];
  models?: readonly string[];
  expiresAtMs?: number;
}

/**
 * Spell `set` in wire form (§9.8.1), e.g. `{"cost.budget": ["USD:5.00"], "expires_at": "…Z"}`.
 * Returns undefined when the set bounds nothing, so the field can be left out.
 */
export function toWireConstraints(set: ConstraintSet): WireConstraints | undefined {
  const out: WireConstraints = {};
  if (set.budget !== undefined && set.budget.length > 0) {
    out["cost.budget"] = set.budget.map((a) => formatAmount(a.currency, a.micros));
  }
  if (set.models !== undefined) out["model.use"] = [...set.models];
  if (set.expiresAtMs !== undefined) out.expires_at = formatExpiresAt(set.expiresAtMs);
  return Object.keys(out).length === 0 ? undefined : out;
}
