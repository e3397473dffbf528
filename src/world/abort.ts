/** Cancellation shared by the world, tool and model adapters: abort reasons and abortable waits. */
import { ArcpError } from "../protocol/errors.js";

/**
 * The error to throw when `signal` has fired: the runtime's own reason when it is an
 * `ArcpError` (cancel, lease expiry, timeout), otherwise `CANCELLED` (§12).
 */
export function abortError(signal: AbortSignal): ArcpError {
  const reason: unknown = signal.reason;
  if (reason instanceof ArcpError) return reason;
  return new ArcpError("CANCELLED", "operation cancelled");
}

/** Throw {@link abortError} if `signal` has already fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/** Wait `ms` milliseconds, rejecting with {@link abortError} as soon as `signal` fires. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
