/** Per-currency budget counters for one job, drawing down its ancestors too (§9.6, DESIGN-10, DESIGN-24). */
import { microsToNumber } from "./amount.js";
import { LeaseError } from "./lease-error.js";

const MICROS_TEXT = /^-?[0-9]+$/;

/**
 * A job's remaining budget per currency, in micro-units (§9.6). A counter may go below zero:
 * a cost is reported after the fact, and exhaustion is checked before the next operation.
 * With a `parent`, every charge also draws down the parent's counters, and so on up the
 * delegation chain (DESIGN-24).
 */
export class BudgetCounters {
  readonly #remaining: Map<string, bigint>;
  readonly #parent: BudgetCounters | undefined;

  constructor(initial: ReadonlyMap<string, bigint>, parent?: BudgetCounters) {
    this.#remaining = new Map(initial);
    this.#parent = parent;
  }

  /** Rebuild counters from {@link serialize} output. @throws LeaseError `INVALID_REQUEST`. */
  static restore(data: Readonly<Record<string, string>>, parent?: BudgetCounters): BudgetCounters {
    const initial = new Map<string, bigint>();
    for (const [currency, text] of Object.entries(data)) {
      if (typeof text !== "string" || !MICROS_TEXT.test(text)) {
        throw new LeaseError("INVALID_REQUEST", `stored budget for ${currency} is not an integer`);
      }
      initial.set(currency, BigInt(text));
    }
    return new BudgetCounters(initial, parent);
  }

  /** The counters this one draws down with every charge, if any. */
  get parent(): BudgetCounters | undefined {
    return this.#parent;
  }

  /**
   * Charge `micros` of `currency` here and on every ancestor (§9.6 decrement).
   *
   * @returns whether this job budgets `currency` (and so whether its counter changed).
   * @throws LeaseError `INVALID_REQUEST` for a negative charge, which changes nothing.
   */
  charge(currency: string, micros: bigint): boolean {
    if (micros < 0n) throw new LeaseError("INVALID_REQUEST", "cost value must not be negative");
    this.#parent?.charge(currency, micros);
    const left = this.#remaining.get(currency);
    if (left === undefined) return false;
    this.#remaining.set(currency, left - micros);
    return true;
  }

  /** Whether this job budgets `currency`. */
  has(currency: string): boolean {
    return this.#remaining.has(currency);
  }

  /**
   * The first currency whose counter is ≤ 0 here or on any ancestor, or `null` (§9.6: checked
   * before every operation through the lease).
   */
  exhausted(): string | null {
    for (const [currency, left] of this.#remaining) if (left <= 0n) return currency;
    return this.#parent?.exhausted() ?? null;
  }

  /** This job's own remaining micro-units per currency (a copy). */
  remaining(): Map<string, bigint> {
    return new Map(this.#remaining);
  }

  /**
   * What this job can still spend per currency: the least remaining over itself and its
   * ancestors, for every currency any of them budgets. A delegation is bounded by this.
   */
  available(): Map<string, bigint> {
    const out = this.#parent?.available() ?? new Map<string, bigint>();
    for (const [currency, left] of this.#remaining) {
      const above = out.get(currency);
      out.set(currency, above === undefined || left < above ? left : above);
    }
    return out;
  }

  /** Remaining per currency as JSON numbers for the wire, e.g. `{ USD: 3.58 }` (§7.1, §9.6). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [currency, left] of this.#remaining) out[currency] = microsToNumber(left);
    return out;
  }

  /** Remaining per currency as exact decimal micro-unit strings, for the store. */
  serialize(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [currency, left] of this.#remaining) out[currency] = left.toString();
    return out;
  }
}
