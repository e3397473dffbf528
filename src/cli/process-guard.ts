/**
 * What the `runplane` process does with a promise rejection nobody handled: it is a bug in the
 * runtime or in an agent module, not a reason to take every session and job down with the
 * process. It is reported on stderr — the error's name, message and stack, never a non-Error
 * value itself, which could carry a secret — and the process goes on.
 */
export function reportUnhandled(reason: unknown): void {
  const text =
    reason instanceof Error
      ? (reason.stack ?? `${reason.name}: ${reason.message}`)
      : `a rejected ${typeof reason} value`;
  process.stderr.write(`runplane: unhandled promise rejection (ignored): ${text}\n`);
}

/** Installed by the executables (bin/runplane.js, src/cli/entry.ts), never by library use. */
export function installProcessGuard(): void {
  if (!process.listeners("unhandledRejection").includes(reportUnhandled))
    process.on("unhandledRejection", reportUnhandled);
}
