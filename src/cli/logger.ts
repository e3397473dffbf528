/** Process logging: pino JSON lines on stderr (stdout stays free for output), secrets redacted. */
import pino from "pino";
import type { Logger } from "../runtime/logger.js";

/** Paths whose values are secrets wherever they appear in a log object. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "resume_token",
  "*.resume_token",
  "access_token",
  "*.access_token",
  "client_secret",
  "*.client_secret",
  "value",
  "*.value",
  "credentials",
  "*.credentials",
];

export function createLogger(level: string): Logger & pino.Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "runplane" } },
    pino.destination({ fd: 2, sync: false }),
  );
}

/** Close `server` on SIGINT/SIGTERM and exit 0 (1 when closing fails). */
export function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}
