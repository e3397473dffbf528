/**
 * The agent context: typed emitters for §8.2 events, a result streamer, and the mediated
 * operations, all delegated to a JobHost that the runtime (or a command-agent bridge) provides.
 */
import { ArcpError } from "../protocol/errors.js";
import { LOG_LEVELS, type LogLevel } from "../protocol/messages/index.js";
import type {
  AgentContext,
  DelegateOptions,
  FetchInit,
  FetchResult,
  JobInfo,
  ModelRequest,
  ModelResponse,
  ResultWriter,
} from "./agent.js";
import { createResultWriter, type ResultStreamHost } from "./result-stream.js";

export type OperationRequest =
  | { op: "tool.call"; name: string; args: Record<string, unknown> }
  | { op: "fs.read"; path: string }
  | { op: "fs.write"; path: string; data: string }
  | { op: "net.fetch"; url: string; init: FetchInit }
  | { op: "model.invoke"; model: string; request: ModelRequest }
  | { op: "delegate"; agent: string; input: unknown; options: DelegateOptions };

/** What the runtime provides to one job's context. */
export interface JobHost extends ResultStreamHost {
  readonly info: JobInfo;
  /** Emit an event; `checked` bodies were built by the context from typed arguments. */
  emit(kind: string, body: unknown, checked?: boolean): Promise<void>;
  /** Run a mediated operation: expiry, budget and lease are checked before dispatch (§9.3). */
  operate(request: OperationRequest): Promise<unknown>;
}

const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);

function invalid(message: string): never {
  throw new ArcpError("INVALID_REQUEST", message);
}

export interface CreatedContext {
  context: AgentContext;
  /** The result stream the agent opened, if any, so the runner can close it. */
  openedStream(): ResultWriter | undefined;
}

export function createAgentContext(host: JobHost): CreatedContext {
  let writer: ResultWriter | undefined;
  const context: AgentContext = {
    job: host.info,
    get signal() {
      return host.info.signal;
    },
    log(level: LogLevel, message: string, attributes?: Record<string, unknown>) {
      if (!LEVELS.has(level)) invalid(`log level must be one of ${LOG_LEVELS.join(", ")}`);
      if (typeof message !== "string" || message === "")
        invalid("log message must be a non-empty string");
      const body = attributes === undefined ? { level, message } : { level, message, attributes };
      return host.emit("log", body, attributes === undefined);
    },
    thought(text: string) {
      if (typeof text !== "string") invalid("thought text must be a string");
      return host.emit("thought", { text }, true);
    },
    progress(current, options = {}) {
      return host.emit("progress", { current, ...options });
    },
    metric(name, value, options = {}) {
      return host.emit("metric", { name, value, ...options });
    },
    status(phase, message) {
      return host.emit("status", message === undefined ? { phase } : { phase, message });
    },
    artifact(ref) {
      return host.emit("artifact_ref", ref);
    },
    emit(kind, body) {
      return host.emit(kind, body);
    },
    result: {
      stream() {
        writer ??= createResultWriter(host);
        return writer;
      },
    },
    tools: {
      call: (name, args = {}) => host.operate({ op: "tool.call", name, args }),
    },
    fs: {
      read: async (path) => (await host.operate({ op: "fs.read", path })) as string,
      write: async (path, data) => {
        await host.operate({ op: "fs.write", path, data });
      },
    },
    net: {
      fetch: async (url, init = {}) =>
        (await host.operate({ op: "net.fetch", url, init })) as FetchResult,
    },
    models: {
      invoke: async (model, request) =>
        (await host.operate({ op: "model.invoke", model, request })) as ModelResponse,
    },
    delegate: (agent, input, options = {}) =>
      host.operate({ op: "delegate", agent, input, options }),
  };
  return { context, openedStream: () => writer };
}
