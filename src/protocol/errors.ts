/** The one error type that crosses the ARCP wire (§12), and the local one that never does. */
import { type ErrorCode, isErrorCode, retryableFor } from "./error-codes.js";

/** §12 error payload as sent in `session.error`, `job.error` and `tool_result.error`. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export interface ArcpErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The message used when the raiser gave none: §12 payloads carry a message, and the TS SDK
 * client refuses an empty one (and then never settles the job), so `""` never goes out.
 */
export function defaultMessage(code: ErrorCode): string {
  return code.toLowerCase().replaceAll("_", " ");
}

/** An error with a spec code; `toPayload()` is what goes on the wire. */
export class ArcpError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ArcpErrorOptions = {}) {
    super(
      message.trim() === "" ? defaultMessage(code) : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ArcpError";
    this.code = code;
    this.retryable = retryableFor(code, options.retryable);
    this.details = options.details;
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.details !== undefined) payload.details = this.details;
    return payload;
  }

  /**
   * Wrap anything thrown into an ArcpError. Errors from modules that may not depend on this
   * one (the lease module's LeaseError) carry a spec `code` and keep it; unknown faults
   * become INTERNAL_ERROR.
   */
  static from(err: unknown): ArcpError {
    if (err instanceof ArcpError) return err;
    if (err instanceof Error && isErrorCode((err as { code?: unknown }).code)) {
      const details = (err as { details?: Record<string, unknown> }).details;
      return new ArcpError((err as unknown as { code: ErrorCode }).code, err.message, {
        cause: err,
        ...(details === undefined ? {} : { details }),
      });
    }
    const message = err instanceof Error && err.message !== "" ? err.message : "internal error";
    return new ArcpError("INTERNAL_ERROR", message, { cause: err });
  }
}

/** Operator misconfiguration or misuse of the API: reported locally, never serialised. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
