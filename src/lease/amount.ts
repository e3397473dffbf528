/** Exact budget amounts (§9.6, DESIGN-10): integer micro-units as bigint, never binary floats. */
import { LeaseError } from "./lease-error.js";

/** Micro-units per whole unit of any currency. */
export const MICROS_PER_UNIT = 1_000_000n;
/** Fractional digits an amount may carry. */
export const AMOUNT_SCALE = 6;
/** Largest integer part accepted, so every amount fits a signed 64-bit column. */
const MAX_INTEGER_DIGITS = 12;
const MAX_CURRENCY_LENGTH = 32;

const AMOUNT = /^([A-Za-z][A-Za-z0-9_-]*):([0-9]+)(?:\.([0-9]+))?$/;
const DECIMAL_NUMBER = /^([0-9]+)(?:\.([0-9]+))?(?:e([+-]?[0-9]+))?$/;

/** A parsed `cost.budget` entry. */
export interface Amount {
  readonly currency: string;
  readonly micros: bigint;
}

/**
 * Parse `currency ":" digits ("." digits)?` (§9.6), e.g. `USD:5.00` or `credits:1000`.
 *
 * @throws LeaseError `INVALID_REQUEST` naming the entry for a sign, exponent, missing part,
 * more than six fractional digits, or an amount too large to store.
 */
export function parseAmount(text: string): Amount {
  const m = typeof text === "string" ? AMOUNT.exec(text) : null;
  const [, currency, whole, fraction = ""] = m ?? [];
  if (currency === undefined || whole === undefined) {
    throw invalid(text, "must be currency:decimal, e.g. USD:5.00");
  }
  if (currency.length > MAX_CURRENCY_LENGTH) {
    throw invalid(text, `has a currency longer than ${MAX_CURRENCY_LENGTH} characters`);
  }
  if (fraction.length > AMOUNT_SCALE) {
    throw invalid(text, `has more than ${AMOUNT_SCALE} fractional digits`);
  }
  if (whole.replace(/^0+(?=.)/, "").length > MAX_INTEGER_DIGITS) {
    throw invalid(text, "is too large");
  }
  return { currency, micros: toMicros(whole, fraction) };
}

function toMicros(whole: string, fraction: string): bigint {
  return BigInt(whole) * MICROS_PER_UNIT + BigInt(fraction.padEnd(AMOUNT_SCALE, "0"));
}

function invalid(text: unknown, why: string): LeaseError {
  const shown = typeof text === "string" ? JSON.stringify(text.slice(0, 64)) : String(typeof text);
  return new LeaseError("INVALID_REQUEST", `cost.budget amount ${shown} ${why}`, {
    capability: "cost.budget",
    pattern: shown,
  });
}

/** The decimal digits of `micros` with at least two fractional digits, e.g. `5.00`, `-0.12`. */
export function formatMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_UNIT;
  const fraction = (abs % MICROS_PER_UNIT).toString().padStart(AMOUNT_SCALE, "0");
  const trimmed = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${trimmed}`;
}

/** `USD:5.00`-style text for `micros` of `currency` (§9.6). */
export function formatAmount(currency: string, micros: bigint): string {
  return `${currency}:${formatMicros(micros)}`;
}

/** The JSON number nearest to `micros` units, for wire display such as `{ "USD": 3.58 }`. */
export function microsToNumber(micros: bigint): number {
  return Number(formatMicros(micros));
}

/**
 * Convert a reported cost (a JSON number, §9.6 `metric.value`) to micro-units exactly, from its
 * shortest decimal form, rounding up to the next micro-unit so a charge is never under-counted.
 * `0.1` is 100000n and `1e-7` is 1n.
 *
 * @throws LeaseError `INVALID_REQUEST` for a negative or non-finite value.
 */
export function costToMicros(value: number): bigint {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new LeaseError("INVALID_REQUEST", "cost value must be a finite number");
  }
  if (value < 0) throw new LeaseError("INVALID_REQUEST", "cost value must not be negative");
  const m = DECIMAL_NUMBER.exec(String(Math.abs(value)));
  const [, whole, fraction = "", exp = "0"] = m ?? [];
  if (whole === undefined) {
    throw new LeaseError("INVALID_REQUEST", "cost value has no decimal form");
  }
  const digits = BigInt(whole + fraction);
  const shift = Number(exp) - fraction.length + AMOUNT_SCALE;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  const quotient = digits / divisor;
  return digits % divisor === 0n ? quotient : quotient + 1n;
}
