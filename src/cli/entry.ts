/** Runs the CLI from source (tests spawn it with `node --import tsx src/cli/entry.ts …`). */
import { main } from "./main.js";
import { installProcessGuard } from "./process-guard.js";

installProcessGuard();
await main(process.argv);
