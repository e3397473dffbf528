#!/usr/bin/env node
// Entry point of the `runplane` command: runs the compiled CLI from dist/.
import { main } from "../dist/cli/main.js";
import { installProcessGuard } from "../dist/cli/process-guard.js";

installProcessGuard();
await main(process.argv);
