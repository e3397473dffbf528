/** Runs the CLI from source (tests spawn it with `node --import tsx src/cli/entry.ts …`). */
import { main } from "./main.js";

/**
 * A promise rejection nobody handled is a bug in the runtime or in an agent module, not a
 * reason to take every session and job down with the process: say so on stderr and go on.
 * Only the error's name, message and stack are written — never the value itself, which could
 * carry a secret.
 */
function reportUnhandled(reason: unknown): void {
  const text =
    reason instanceof Error
      ? (reason.stack ?? `${reason.name}: ${reason.message}`)
      : `a rejected ${typeof reason} value`;
  process.stderr.write(`runplane: unhandled promise rejection (ignored): ${text}\n`);
}

process.on("unhandledRejection", reportUnhandled);

await main(process.argv);
