/** Public API of the lease module (§9): patterns, subsetting, amounts, budgets, expiry, leases. */
export {
  AMOUNT_SCALE,
  type Amount,
  costToMicros,
  formatAmount,
  formatMicros,
  MICROS_PER_UNIT,
  microsToNumber,
  parseAmount,
} from "./amount.js";
export { BudgetCounters } from "./budget.js";
export { canonicalizeTarget, type TargetKind, targetKindOf } from "./canonical.js";
export {
  checkDelegation,
  type DelegationOptions,
  deriveChildLease,
  type EffectiveChildLease,
} from "./delegation.js";
export { formatExpiresAt, isExpired, parseExpiresAt } from "./expiry.js";
export {
  type CompiledPattern,
  compilePattern,
  MAX_PATTERN_LENGTH,
  MAX_WILDCARDS,
  matchesAny,
  matchesPattern,
} from "./glob.js";
export {
  CompiledLease,
  isCapabilityName,
  type LeaseRaw,
  MAX_PATTERNS_PER_CAPABILITY,
  parseLease,
  RESERVED_CAPABILITIES,
  type ReservedCapability,
} from "./lease.js";
export { LeaseError, type LeaseErrorCode } from "./lease-error.js";
export { MAX_SUBSET_WORK, subsetWitness, WorkBudget } from "./subset.js";
