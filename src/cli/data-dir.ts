/** Where Runplane keeps its database by default: the user's data directory (XDG on Unix). */
import { homedir } from "node:os";
import { join } from "node:path";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_DATA_HOME"];
  if (xdg !== undefined && xdg !== "") return join(xdg, "runplane");
  if (process.platform === "darwin")
    return join(homedir(), "Library", "Application Support", "runplane");
  return join(homedir(), ".local", "share", "runplane");
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), "runplane.db");
}
