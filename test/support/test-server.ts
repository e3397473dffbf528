/** Start a real Runplane server on 127.0.0.1:0 for integration tests. */
import { type RunningServer, type ServeOptions, startServer } from "../../src/cli/compose.js";
import type { RuntimeConfig } from "../../src/runtime/config.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { makeTempDir, removeTempDir } from "./temp-dir.js";

export const TOKENS = { alice: "tok-alice", bob: "tok-bob", carol: "tok-carol" } as const;

export interface TestServer extends RunningServer {
  wsUrl: string;
  httpUrl: string;
}

export async function startTestServer(
  overrides: Partial<Omit<ServeOptions, "runtime">> & { runtime?: Partial<RuntimeConfig> } = {},
): Promise<TestServer> {
  // Without one, the server would use (and create) the user's real data directory.
  const ownWorkspace = overrides.workspace === undefined ? makeTempDir("workspace") : undefined;
  const server = await startServer(
    {
      host: "127.0.0.1",
      port: 0,
      db: ":memory:",
      ...(ownWorkspace === undefined ? {} : { workspace: ownWorkspace }),
      auth: { token: [`${TOKENS.alice}=alice`, `${TOKENS.bob}=bob`, `${TOKENS.carol}=carol`] },
      ...overrides,
      runtime: { heartbeatIntervalSec: 30, ...overrides.runtime },
    },
    silentLogger,
  ).catch((error: unknown) => {
    if (ownWorkspace !== undefined) removeTempDir(ownWorkspace);
    throw error;
  });
  const close = server.close.bind(server);
  return Object.assign(server, {
    close: async () => {
      try {
        await close();
      } finally {
        if (ownWorkspace !== undefined) removeTempDir(ownWorkspace);
      }
    },
    wsUrl: `${server.url.replace(/^http/, "ws")}/arcp`,
    httpUrl: server.url,
  });
}
