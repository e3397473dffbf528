// node:test reporter that records, per test, its name, file and outcome as JSON lines, for
// scripts/conformance.mjs. Used as an extra reporter next to the usual one.
export default async function* conformanceReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { name, file, skip, todo } = event.data;
    const outcome = event.type === "test:pass" ? (skip || todo ? "skipped" : "passed") : "failed";
    yield `${JSON.stringify({ name, file: file ?? null, outcome })}\n`;
  }
}
