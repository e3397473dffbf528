/** The lease grammar (§9.1–§9.2): validation, compiled patterns and budgets, and target checks. */
import { parseAmount } from "./amount.js";
import { canonicalizeTarget, targetKindOf } from "./canonical.js";
import { type CompiledPattern, compilePattern, matchesAny } from "./glob.js";
import { LeaseError } from "./lease-error.js";

/** The seven reserved capability namespaces (§9.2). */
export const RESERVED_CAPABILITIES = [
  "fs.read",
  "fs.write",
  "net.fetch",
  "tool.call",
  "agent.delegate",
  "cost.budget",
  "model.use",
] as const;

export type ReservedCapability = (typeof RESERVED_CAPABILITIES)[number];

/** Most entries one capability may list; bounds the cost of matching and subset checks. */
export const MAX_PATTERNS_PER_CAPABILITY = 64;

// The sum of one currency's amounts must still fit a signed 64-bit store column.
const MAX_BUDGET_MICROS = 10n ** 18n - 1n;
const RESERVED: ReadonlySet<string> = new Set(RESERVED_CAPABILITIES);
const VENDOR_KEY = /^x-vendor(\.[a-z0-9_-]+){2,}$/;

/** A lease as it appears on the wire: capability → patterns (or amounts for `cost.budget`). */
export type LeaseRaw = Readonly<Record<string, readonly string[]>>;

/** Whether `key` may name a lease capability: a reserved namespace or an `x-vendor.a.b` key. */
export function isCapabilityName(key: string): boolean {
  return RESERVED.has(key) || VENDOR_KEY.test(key);
}

/** A validated lease: the raw form for echoing, compiled patterns, and the initial budget. */
export class CompiledLease {
  /** The lease exactly as accepted (frozen copy), for echoing in `job.accepted`. */
  readonly raw: LeaseRaw;
  readonly #patterns: ReadonlyMap<string, readonly CompiledPattern[]>;
  readonly #budget: ReadonlyMap<string, bigint>;

  /** @internal Built by {@link parseLease}. */
  constructor(
    raw: LeaseRaw,
    patterns: ReadonlyMap<string, readonly CompiledPattern[]>,
    budget: ReadonlyMap<string, bigint>,
  ) {
    this.raw = raw;
    this.#patterns = patterns;
    this.#budget = budget;
  }

  /** Whether the lease names `capability` at all. */
  has(capability: string): boolean {
    return Object.hasOwn(this.raw, capability);
  }

  /** The capabilities the lease names, in the order given. */
  capabilities(): string[] {
    return Object.keys(this.raw);
  }

  /** The compiled patterns of a glob capability, or `undefined` if the lease lacks it. */
  patterns(capability: string): readonly CompiledPattern[] | undefined {
    return this.#patterns.get(capability);
  }

  /**
   * Whether the lease covers `target` under `capability` (§9.3): the target is canonicalised
   * for the capability's kind first; an absent capability or a target with no canonical form
   * is not covered.
   */
  allows(capability: string, target: string): boolean {
    const patterns = this.#patterns.get(capability);
    if (patterns === undefined) return false;
    let canonical: string;
    try {
      canonical = canonicalizeTarget(capability, target);
    } catch (err) {
      if (err instanceof LeaseError) return false;
      throw err;
    }
    return matchesAny(patterns, canonical);
  }

  /**
   * Check `target` under `capability` and return its canonical form, which is what the
   * operation must then act on (§9.3).
   *
   * @throws LeaseError `INVALID_REQUEST` when the target has no canonical form, or
   * `PERMISSION_DENIED` naming the capability when no pattern covers it.
   */
  authorize(capability: string, target: string): string {
    const canonical = canonicalizeTarget(capability, target);
    const patterns = this.#patterns.get(capability);
    if (patterns !== undefined && matchesAny(patterns, canonical)) return canonical;
    // Names (tools, agents, models) are safe to show; paths and URLs may carry secrets.
    const shown = targetKindOf(capability) === "name" ? ` ${JSON.stringify(canonical)}` : "";
    throw new LeaseError("PERMISSION_DENIED", `lease does not grant ${capability}${shown}`, {
      capability,
    });
  }

  /** Initial micro-units per currency from `cost.budget`, repeated currencies summed (§9.6). */
  budget(): Map<string, bigint> {
    return new Map(this.#budget);
  }
}

/**
 * Validate a lease (§9.1–§9.2): a JSON object mapping reserved or `x-vendor.*` capability names
 * to non-empty arrays of non-empty strings; `cost.budget` entries are amounts (§9.6), all
 * others glob patterns (DESIGN-7). An empty object is a lease that grants nothing.
 *
 * @throws LeaseError `INVALID_REQUEST` naming the offending key or pattern.
 */
export function parseLease(raw: unknown): CompiledLease {
  if (!isPlainObject(raw)) {
    throw new LeaseError("INVALID_REQUEST", "lease must be a JSON object");
  }
  const copy: Record<string, readonly string[]> = {};
  const patterns = new Map<string, readonly CompiledPattern[]>();
  let budget = new Map<string, bigint>();
  for (const key of Object.keys(raw)) {
    const entries = validateEntries(key, raw[key]);
    copy[key] = Object.freeze(entries);
    if (key === "cost.budget") budget = sumAmounts(entries);
    else patterns.set(key, compileEntries(key, entries));
  }
  return new CompiledLease(Object.freeze(copy), patterns, budget);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function validateEntries(key: string, value: unknown): string[] {
  if (!isCapabilityName(key)) {
    throw new LeaseError("INVALID_REQUEST", `unknown lease capability ${JSON.stringify(key)}`, {
      capability: key,
    });
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new LeaseError("INVALID_REQUEST", `lease capability ${key} must be a non-empty array`, {
      capability: key,
    });
  }
  if (value.length > MAX_PATTERNS_PER_CAPABILITY) {
    throw new LeaseError(
      "INVALID_REQUEST",
      `lease capability ${key} lists more than ${MAX_PATTERNS_PER_CAPABILITY} entries`,
      { capability: key },
    );
  }
  for (const entry of value) {
    if (typeof entry !== "string" || entry.length === 0) {
      throw new LeaseError(
        "INVALID_REQUEST",
        `lease capability ${key} entries must be non-empty strings`,
        { capability: key },
      );
    }
  }
  return [...(value as string[])];
}

function compileEntries(key: string, entries: readonly string[]): CompiledPattern[] {
  try {
    return entries.map(compilePattern);
  } catch (err) {
    if (!(err instanceof LeaseError)) throw err;
    throw new LeaseError(err.code, `${key}: ${err.message}`, { ...err.details, capability: key });
  }
}

function sumAmounts(entries: readonly string[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const entry of entries) {
    const { currency, micros } = parseAmount(entry);
    const total = (out.get(currency) ?? 0n) + micros;
    if (total > MAX_BUDGET_MICROS) {
      throw new LeaseError("INVALID_REQUEST", `cost.budget total for ${currency} is too large`, {
        capability: "cost.budget",
        currency,
      });
    }
    out.set(currency, total);
  }
  return out;
}
