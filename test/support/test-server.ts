/** Start a real Runplane server on 127.0.0.1:0 for integration tests. */
import { type RunningServer, type ServeOptions, startServer } from "../../src/cli/compose.js";
import type { RuntimeConfig } from "../../src/runtime/config.js";
import { silentLogger } from "../../src/runtime/logger.js";

export const TOKENS = { alice: "tok-alice", bob: "tok-bob", carol: "tok-carol" } as const;

export interface TestServer extends RunningServer {
  wsUrl: string;
  httpUrl: string;
}

export async function startTestServer(
  overrides: Partial<Omit<ServeOptions, "runtime">> & { runtime?: Partial<RuntimeConfig> } = {},
): Promise<TestServer> {
  const server = await startServer(
    {
      host: "127.0.0.1",
      port: 0,
      db: ":memory:",
      auth: { token: [`${TOKENS.alice}=alice`, `${TOKENS.bob}=bob`, `${TOKENS.carol}=carol`] },
      ...overrides,
      runtime: { heartbeatIntervalSec: 30, ...overrides.runtime },
    },
    silentLogger,
  );
  return Object.assign(server, {
    wsUrl: `${server.url.replace(/^http/, "ws")}/arcp`,
    httpUrl: server.url,
  });
}
