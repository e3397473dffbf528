/** Workspace confinement: virtual paths, symlink escapes, size limits, atomic writes. */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ArcpError } from "../../../src/protocol/errors.js";
import { Workspace } from "../../../src/world/workspace.js";

function rejectsWith(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) =>
    err instanceof ArcpError &&
    err.code === code &&
    (pattern === undefined || pattern.test(err.message));
}

describe("Workspace", () => {
  let base: string;
  let root: string;
  let outside: string;
  let ws: Workspace;

  before(() => {
    base = mkdtempSync(join(tmpdir(), "runplane-ws-"));
    root = join(base, "root");
    outside = join(base, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "secret.txt"), "top secret");
    ws = new Workspace(root);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  test("creates a missing root directory", () => {
    assert.ok(existsSync(root));
  });

  test("a nested write creates parent directories and reads back", async () => {
    const bytes = await ws.write("/notes/deep/a.txt", "héllo");
    assert.equal(bytes, Buffer.byteLength("héllo"));
    assert.equal(readFileSync(join(root, "notes/deep/a.txt"), "utf8"), "héllo");
    assert.equal(await ws.read("/notes/deep/a.txt", 100), "héllo");
  });

  test("a write replaces the file atomically and leaves no temporary file", async () => {
    await ws.write("/atomic/f.txt", "one");
    await ws.write("/atomic/f.txt", "two");
    assert.equal(await ws.read("/atomic/f.txt", 100), "two");
    assert.deepEqual(readdirSync(join(root, "atomic")), ["f.txt"]);
  });

  test("resolve maps / to the root and a virtual path under it", async () => {
    assert.equal(await ws.resolve("/"), ws.root);
    assert.equal(await ws.resolve("/x/y.txt"), join(ws.root, "x", "y.txt"));
  });

  test("a missing file is INVALID_REQUEST 'no such file'", async () => {
    await assert.rejects(ws.read("/nope.txt", 100), rejectsWith("INVALID_REQUEST", /no such file/));
  });

  test("a file larger than maxBytes is INVALID_REQUEST", async () => {
    await ws.write("/big.txt", "x".repeat(101));
    await assert.rejects(
      ws.read("/big.txt", 100),
      rejectsWith("INVALID_REQUEST", /larger than 100 bytes/),
    );
    assert.equal((await ws.read("/big.txt", 101)).length, 101);
  });

  test("a directory or non-UTF-8 file cannot be read as text", async () => {
    await assert.rejects(ws.read("/notes", 100), rejectsWith("INVALID_REQUEST", /not a file/));
    writeFileSync(join(root, "bin.dat"), Buffer.from([0xff, 0xfe, 0x00]));
    await assert.rejects(ws.read("/bin.dat", 100), rejectsWith("INVALID_REQUEST", /not UTF-8/));
  });

  test("relative paths are INVALID_REQUEST and '..' segments are PERMISSION_DENIED", async () => {
    await assert.rejects(ws.read("notes/deep/a.txt", 100), rejectsWith("INVALID_REQUEST"));
    await assert.rejects(ws.read("/../outside/secret.txt", 100), rejectsWith("PERMISSION_DENIED"));
    await assert.rejects(ws.write("/a/../../escape.txt", "x"), rejectsWith("PERMISSION_DENIED"));
    assert.equal(existsSync(join(base, "escape.txt")), false);
  });

  test("a symlinked directory pointing outside cannot be read or written through", async () => {
    symlinkSync(outside, join(root, "link-dir"));
    await assert.rejects(ws.read("/link-dir/secret.txt", 100), rejectsWith("PERMISSION_DENIED"));
    await assert.rejects(ws.write("/link-dir/new.txt", "x"), rejectsWith("PERMISSION_DENIED"));
    await assert.rejects(ws.write("/link-dir/sub/new.txt", "x"), rejectsWith("PERMISSION_DENIED"));
    assert.deepEqual(readdirSync(outside), ["secret.txt"]);
  });

  test("a symlinked file pointing outside cannot be read or overwritten", async () => {
    symlinkSync(join(outside, "secret.txt"), join(root, "link-file"));
    await assert.rejects(ws.read("/link-file", 100), rejectsWith("PERMISSION_DENIED"));
    await assert.rejects(ws.write("/link-file", "pwned"), rejectsWith("PERMISSION_DENIED"));
    assert.equal(readFileSync(join(outside, "secret.txt"), "utf8"), "top secret");
  });

  test("a dangling symlink is refused, since its target could be created anywhere", async () => {
    symlinkSync(join(outside, "later.txt"), join(root, "dangling"));
    await assert.rejects(ws.write("/dangling", "x"), rejectsWith("PERMISSION_DENIED"));
    assert.equal(existsSync(join(outside, "later.txt")), false);
  });

  test("a symlink that stays inside the root is followed", async () => {
    await ws.write("/real/data.txt", "inside");
    symlinkSync(join(root, "real"), join(root, "alias"));
    assert.equal(await ws.read("/alias/data.txt", 100), "inside");
    await ws.write("/alias/more.txt", "also inside");
    assert.equal(readFileSync(join(root, "real/more.txt"), "utf8"), "also inside");
  });

  test("a root given through a symlink still confines (the root is resolved first)", async () => {
    symlinkSync(root, join(base, "root-link"));
    const viaLink = new Workspace(join(base, "root-link"));
    assert.equal(viaLink.root, ws.root);
    assert.equal(await viaLink.read("/notes/deep/a.txt", 100), "héllo");
    await assert.rejects(
      viaLink.read("/link-dir/secret.txt", 100),
      rejectsWith("PERMISSION_DENIED"),
    );
  });

  test("writing to / or over a directory is INVALID_REQUEST", async () => {
    await assert.rejects(ws.write("/", "x"), rejectsWith("INVALID_REQUEST"));
    await assert.rejects(ws.write("/notes", "x"), rejectsWith("INVALID_REQUEST"));
  });

  test("writing under a path whose parent is a file is INVALID_REQUEST", async () => {
    await ws.write("/plain.txt", "x");
    await assert.rejects(ws.write("/plain.txt/child.txt", "y"), rejectsWith("INVALID_REQUEST"));
  });

  test("a payload over maxWriteBytes is refused and nothing is written", async () => {
    const small = new Workspace(join(base, "small"), { maxWriteBytes: 4 });
    await assert.rejects(small.write("/f.txt", "12345"), rejectsWith("INVALID_REQUEST"));
    assert.equal(existsSync(join(base, "small", "f.txt")), false);
  });

  test("error messages name the virtual path, never the host path", async () => {
    await assert.rejects(ws.read("/missing/file.txt", 100), (err: unknown) => {
      assert.ok(err instanceof ArcpError);
      assert.ok(err.message.includes("/missing/file.txt"));
      assert.ok(!err.message.includes(base));
      return true;
    });
  });
});
