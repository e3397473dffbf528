/** The one error a store raises to say "these rows are refused", as opposed to "I am unavailable". */

/**
 * A write was refused for its content (§8.3, DESIGN-14): a seq, id, idempotency key or run id
 * already taken, or a value the schema cannot hold. Retrying the same rows can only fail again,
 * so callers must not spin on it; every other rejection means the store is (perhaps briefly)
 * unavailable. Nothing of the refused call was written.
 */
export class StoreConstraintError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreConstraintError";
  }
}
