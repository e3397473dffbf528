/** Delegated leases (§9.4, §10, DESIGN-8, DESIGN-24): the subset rule and the child's effective lease. */
import { formatAmount, formatMicros } from "./amount.js";
import { formatExpiresAt } from "./expiry.js";
import { type CompiledLease, parseLease } from "./lease.js";
import { LeaseError } from "./lease-error.js";
import { subsetWitness, WorkBudget } from "./subset.js";

/** Expiry instants of the two leases, already parsed (milliseconds since the epoch). */
export interface DelegationOptions {
  /** The child's requested `lease_constraints.expires_at`, if it sent one. */
  readonly childExpiresAtMs?: number | undefined;
  /** The parent's effective expiry, if it has one. */
  readonly parentExpiresAtMs?: number | undefined;
}

/** The lease and expiry a delegated job actually runs under. */
export interface EffectiveChildLease {
  readonly lease: CompiledLease;
  readonly expiresAtMs: number | undefined;
}

/**
 * Check a delegated lease against its parent (§9.4): every glob capability the child names must
 * exist in the parent and each child pattern's language must lie within the union of the
 * parent's (decided exactly, with a witness; DESIGN-8); each budgeted currency may not exceed
 * `parentRemaining` (pass the parent counters' `available()`); a child expiry may not be later
 * than the parent's. A child `cost.budget` only narrows authority, so a currency the parent
 * does not budget is not a violation.
 *
 * @returns `null` when the child is a subset (or equal), else a `LEASE_SUBSET_VIOLATION` whose
 * details hold `capability` and, as they apply, `pattern` and `witness`, or `currency`,
 * `requested` and `remaining`, or `requested` and `limit` for `expires_at`.
 */
export function checkDelegation(
  child: CompiledLease,
  parent: CompiledLease,
  parentRemaining: ReadonlyMap<string, bigint>,
  opts: DelegationOptions = {},
): LeaseError | null {
  // One allowance for the whole delegation, however many capabilities and patterns it names.
  const work = new WorkBudget();
  for (const capability of child.capabilities()) {
    const violation =
      capability === "cost.budget"
        ? budgetViolation(child, parent, parentRemaining)
        : patternViolation(child, parent, capability, work);
    if (violation !== null) return violation;
  }
  return expiryViolation(opts);
}

/**
 * The effective lease of a delegated job (§9.4, DESIGN-24): the child's grants, plus the
 * parent's remaining budget for every currency the child leaves out, plus the parent's
 * `model.use` when the child names none; expiry is the earlier of the two, inherited when the
 * child sends none. Grants the child omits are simply not granted.
 *
 * @throws LeaseError `LEASE_SUBSET_VIOLATION` as {@link checkDelegation} reports it.
 */
export function deriveChildLease(
  child: CompiledLease,
  parent: CompiledLease,
  parentRemaining: ReadonlyMap<string, bigint>,
  opts: DelegationOptions = {},
): EffectiveChildLease {
  const violation = checkDelegation(child, parent, parentRemaining, opts);
  if (violation !== null) throw violation;
  const raw: Record<string, readonly string[]> = { ...child.raw };
  const inherited = inheritedBudget(child, parent, parentRemaining);
  if (inherited.length > 0) raw["cost.budget"] = [...(raw["cost.budget"] ?? []), ...inherited];
  const parentModels = parent.raw["model.use"];
  if (parentModels !== undefined && !child.has("model.use")) raw["model.use"] = parentModels;
  return {
    lease: parseLease(raw),
    expiresAtMs: earlier(opts.childExpiresAtMs, opts.parentExpiresAtMs),
  };
}

function patternViolation(
  child: CompiledLease,
  parent: CompiledLease,
  capability: string,
  work: WorkBudget,
): LeaseError | null {
  const parentPatterns = parent.patterns(capability);
  if (parentPatterns === undefined) {
    return new LeaseError(
      "LEASE_SUBSET_VIOLATION",
      `delegated lease names ${capability}, which the parent lease does not grant`,
      { capability },
    );
  }
  for (const pattern of child.patterns(capability) ?? []) {
    let witness: string | null;
    try {
      witness = subsetWitness([pattern], parentPatterns, work);
    } catch (err) {
      if (!(err instanceof LeaseError)) throw err;
      return new LeaseError(err.code, `${capability}: ${err.message}`, {
        ...err.details,
        capability,
      });
    }
    if (witness !== null) {
      return new LeaseError(
        "LEASE_SUBSET_VIOLATION",
        `delegated ${capability} pattern ${pattern.source} admits ${JSON.stringify(witness)}, which the parent lease does not`,
        { capability, pattern: pattern.source, witness },
      );
    }
  }
  return null;
}

function budgetViolation(
  child: CompiledLease,
  parent: CompiledLease,
  parentRemaining: ReadonlyMap<string, bigint>,
): LeaseError | null {
  const parentInitial = parent.budget();
  for (const [currency, requested] of child.budget()) {
    const remaining = parentRemaining.get(currency) ?? parentInitial.get(currency);
    if (remaining === undefined || requested <= remaining) continue;
    return new LeaseError(
      "LEASE_SUBSET_VIOLATION",
      `delegated cost.budget ${formatAmount(currency, requested)} exceeds the parent's remaining ${formatAmount(currency, remaining)}`,
      {
        capability: "cost.budget",
        currency,
        requested: formatMicros(requested),
        remaining: formatMicros(remaining),
      },
    );
  }
  return null;
}

function expiryViolation(opts: DelegationOptions): LeaseError | null {
  const { childExpiresAtMs: childAt, parentExpiresAtMs: parentAt } = opts;
  if (childAt === undefined || parentAt === undefined || childAt <= parentAt) return null;
  return new LeaseError(
    "LEASE_SUBSET_VIOLATION",
    "delegated lease_constraints.expires_at is later than the parent's",
    {
      capability: "expires_at",
      requested: formatExpiresAt(childAt),
      limit: formatExpiresAt(parentAt),
    },
  );
}

function inheritedBudget(
  child: CompiledLease,
  parent: CompiledLease,
  parentRemaining: ReadonlyMap<string, bigint>,
): string[] {
  const own = child.budget();
  const limits = new Map(parent.budget());
  for (const [currency, left] of parentRemaining) limits.set(currency, left);
  const out: string[] = [];
  for (const [currency, left] of limits) {
    // An overspent parent hands down zero, which leaves the child exhausted from the start.
    if (!own.has(currency)) out.push(formatAmount(currency, left > 0n ? left : 0n));
  }
  return out;
}

function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
