/** Temporary directories for tests: made under the OS temp dir, removed when their test ends. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh, empty directory named `runplane-<name>-XXXXXX` under the OS temp dir. */
export function makeTempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `runplane-${name}-`));
}

/** Remove `dir` and everything in it; a directory already gone is not an error. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `makeTempDir`, removed once the test `t` (its body and its `finally` blocks) has ended. */
export function tempDirFor(t: { after(fn: () => void): void }, name: string): string {
  const dir = makeTempDir(name);
  t.after(() => removeTempDir(dir));
  return dir;
}
