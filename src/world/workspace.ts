/**
 * The job's filesystem (§9.3 `fs.read` / `fs.write`): a virtual tree whose `/` is a root
 * directory on the host. Nothing outside the root is reachable, symlinks included.
 */
import { randomBytes } from "node:crypto";
import { constants as fsConstants, mkdirSync, realpathSync } from "node:fs";
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  realpath,
  rename,
  rm,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join, sep } from "node:path";
import { ArcpError, ConfigError } from "../protocol/errors.js";

/** Default largest file `write` accepts, in bytes. */
export const DEFAULT_MAX_WRITE_BYTES = 16 * 1024 * 1024;

const READ_CHUNK_BYTES = 64 * 1024;

export interface WorkspaceOptions {
  /** Largest payload `write` accepts, in bytes (default 16 MiB). */
  maxWriteBytes?: number;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function denied(path: string): ArcpError {
  return new ArcpError("PERMISSION_DENIED", `${path} is outside the workspace`);
}

/**
 * A directory that agents see as `/`. Virtual paths are absolute POSIX paths, normally
 * already canonicalised by the lease module; `..` segments are refused here as well, so
 * the workspace is safe on its own.
 */
export class Workspace {
  /** The real (symlink-free) path of the root directory. */
  readonly root: string;
  readonly #maxWriteBytes: number;

  /**
   * Open the workspace at `root`, creating the directory if it is missing.
   *
   * @throws ConfigError when the root cannot be created or is not a directory.
   */
  constructor(root: string, options: WorkspaceOptions = {}) {
    try {
      mkdirSync(root, { recursive: true });
      this.root = realpathSync(root);
    } catch (error) {
      throw new ConfigError(`cannot open workspace ${root}: ${(error as Error).message}`);
    }
    this.#maxWriteBytes = options.maxWriteBytes ?? DEFAULT_MAX_WRITE_BYTES;
  }

  /**
   * The real host path for `virtualPath`. The nearest existing ancestor is resolved through
   * its symlinks and must still lie under the root.
   *
   * @throws ArcpError `INVALID_REQUEST` for a path that is not absolute, `PERMISSION_DENIED`
   * for one that escapes the root (by `..` or by a symlink).
   */
  async resolve(virtualPath: string): Promise<string> {
    const segments = splitVirtual(virtualPath);
    let existing = join(this.root, ...segments);
    const missing: string[] = [];
    for (;;) {
      try {
        existing = await realpath(existing);
        break;
      } catch (error) {
        const code = errnoOf(error);
        if (code !== "ENOENT" && code !== "ENOTDIR") throw fsFailure(virtualPath, error);
        // A dangling link could point anywhere once its target is created.
        if (await isSymlink(existing)) throw denied(virtualPath);
        missing.unshift(basename(existing));
        existing = dirname(existing);
      }
    }
    if (existing !== this.root && !existing.startsWith(this.root + sep)) throw denied(virtualPath);
    return join(existing, ...missing);
  }

  /**
   * Read a UTF-8 text file of at most `maxBytes` bytes.
   *
   * @throws ArcpError `INVALID_REQUEST` when the file is missing, not a regular file, larger
   * than `maxBytes` or not UTF-8; `PERMISSION_DENIED` when it lies outside the workspace.
   */
  async read(virtualPath: string, maxBytes: number): Promise<string> {
    const real = await this.resolve(virtualPath);
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: `real` has no symlinks now; refuse one swapped in since.
      handle = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      throw fsFailure(virtualPath, error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ArcpError("INVALID_REQUEST", `${virtualPath} is not a file`);
      if (stats.size > maxBytes) throw tooLarge(virtualPath, maxBytes);
      return decodeUtf8(virtualPath, await readAtMost(handle, virtualPath, maxBytes));
    } finally {
      await handle.close();
    }
  }

  /**
   * Write `data` as UTF-8, creating parent directories. The file is replaced atomically: the
   * data goes to a temporary file in the same directory, which is then renamed over it.
   *
   * @returns the number of bytes written.
   * @throws ArcpError `INVALID_REQUEST` when the payload is too large or the path names a
   * directory; `PERMISSION_DENIED` when it lies outside the workspace.
   */
  async write(virtualPath: string, data: string): Promise<number> {
    const bytes = Buffer.from(data, "utf8");
    if (bytes.length > this.#maxWriteBytes) {
      throw new ArcpError("INVALID_REQUEST", `data exceeds ${this.#maxWriteBytes} bytes`);
    }
    const real = await this.resolve(virtualPath);
    if (real === this.root) throw new ArcpError("INVALID_REQUEST", "cannot write to /");
    const temp = join(dirname(real), `.${basename(real)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await mkdir(dirname(real), { recursive: true });
      // A directory created since resolve() could be a symlink planted by someone else.
      if ((await this.resolve(virtualPath)) !== real) throw denied(virtualPath);
      await writeFile(temp, bytes, { flag: "wx" });
      await rename(temp, real);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw fsFailure(virtualPath, error);
    }
    return bytes.length;
  }
}

/** Split an absolute virtual path into its segments, refusing `..`. */
function splitVirtual(virtualPath: string): string[] {
  if (typeof virtualPath !== "string" || !virtualPath.startsWith("/")) {
    throw new ArcpError("INVALID_REQUEST", "path must be absolute");
  }
  if (virtualPath.includes("\0")) throw new ArcpError("INVALID_REQUEST", "path contains NUL");
  const segments = virtualPath.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw denied(virtualPath);
  return segments;
}

/** Read to the end, refusing more than `maxBytes` (the file may have grown since its stat). */
async function readAtMost(
  handle: FileHandle,
  virtualPath: string,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, maxBytes - total + 1));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(virtualPath, maxBytes);
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

function tooLarge(virtualPath: string, maxBytes: number): ArcpError {
  return new ArcpError("INVALID_REQUEST", `${virtualPath} is larger than ${maxBytes} bytes`);
}

function decodeUtf8(virtualPath: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ArcpError("INVALID_REQUEST", `${virtualPath} is not UTF-8 text`);
  }
}

/** Map a filesystem error to a spec code; messages name the virtual path, never the host one. */
function fsFailure(virtualPath: string, error: unknown): ArcpError {
  if (error instanceof ArcpError) return error;
  switch (errnoOf(error)) {
    case "ENOENT":
      return new ArcpError("INVALID_REQUEST", `no such file: ${virtualPath}`);
    case "ENOTDIR":
      return new ArcpError("INVALID_REQUEST", `a parent of ${virtualPath} is not a directory`);
    case "EISDIR":
      return new ArcpError("INVALID_REQUEST", `${virtualPath} is a directory`);
    case "EEXIST":
      return new ArcpError("INVALID_REQUEST", `${virtualPath} conflicts with an existing entry`);
    case "ELOOP":
      return denied(virtualPath);
    case "EACCES":
    case "EPERM":
      return new ArcpError("PERMISSION_DENIED", `the host refused access to ${virtualPath}`);
    default:
      return new ArcpError("INTERNAL_ERROR", `filesystem error on ${virtualPath}`, {
        cause: error,
      });
  }
}
