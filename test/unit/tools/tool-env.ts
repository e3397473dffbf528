/**
 * A ToolEnvironment for tests built the way the runtime builds one: every operation is checked
 * against a real lease before the workspace or httpFetch is touched.
 */
import { parseLease } from "../../../src/lease/index.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import type { ToolEnvironment, ToolLogLevel } from "../../../src/tools/tool.js";
import { httpFetch } from "../../../src/world/http-fetch.js";
import type { Workspace } from "../../../src/world/workspace.js";

export const TEST_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

export interface TestEnvOptions {
  workspace: Workspace;
  lease: Record<string, string[]>;
  signal?: AbortSignal;
  logs?: { level: ToolLogLevel; message: string }[];
}

function authorize(
  lease: ReturnType<typeof parseLease>,
  capability: string,
  target: string,
): string {
  try {
    return lease.authorize(capability, target);
  } catch (error) {
    throw ArcpError.from(error);
  }
}

export function makeToolEnv(options: TestEnvOptions): ToolEnvironment {
  const lease = parseLease(options.lease);
  const signal = options.signal ?? new AbortController().signal;
  return {
    jobId: "job_01TESTTESTTESTTESTTESTTEST",
    signal,
    traceparent: TEST_TRACEPARENT,
    readFile: async (path) =>
      options.workspace.read(authorize(lease, "fs.read", path), 1024 * 1024),
    writeFile: async (path, data) => {
      await options.workspace.write(authorize(lease, "fs.write", path), data);
    },
    fetch: async (url, init = {}) =>
      httpFetch(authorize(lease, "net.fetch", url), init, {
        signal,
        traceparent: TEST_TRACEPARENT,
        timeoutMs: 5000,
        maxBytes: 1024 * 1024,
        checkUrl: (hop) => void authorize(lease, "net.fetch", hop),
      }),
    log: (level, message) => void options.logs?.push({ level, message }),
  };
}
