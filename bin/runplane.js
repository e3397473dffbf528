#!/usr/bin/env node
// Entry point of the `runplane` command: runs the compiled CLI from dist/.
import { main } from "../dist/cli/main.js";

await main(process.argv);
