/**
 * The tool port (§9.3 `tool.call`): what a tool is, the lease-checked environment the runtime
 * hands it, and the registry the runtime dispatches calls through.
 */
import type { FetchInit, FetchResult } from "../agents/agent.js";
import { ArcpError, ConfigError } from "../protocol/errors.js";

/** Tool names: lower-case, starting with a letter or digit, then `.`, `_`, `-` allowed. */
export const TOOL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** A log level a tool may report at; the runtime turns these into `log` events. */
export type ToolLogLevel = "debug" | "info" | "warn" | "error";

/**
 * What a tool can reach while it runs. The runtime builds one per call; every operation in it
 * is already checked against the calling job's lease, expiry and budget (§9.3), so a tool can
 * never do more than the job that called it.
 */
export interface ToolEnvironment {
  /** The calling job's id. */
  readonly jobId: string;
  /** Fired when the call must stop: cancel, timeout, lease expiry, shutdown. */
  readonly signal: AbortSignal;
  /** The job's W3C trace context, to forward to anything the tool calls (§11). */
  readonly traceparent: string;
  /** Read a UTF-8 file (checked against `fs.read`). */
  readFile(path: string): Promise<string>;
  /** Write a UTF-8 file (checked against `fs.write`). */
  writeFile(path: string, data: string): Promise<void>;
  /** Make an HTTP request (checked against `net.fetch`, every redirect included). */
  fetch(url: string, init?: FetchInit): Promise<FetchResult>;
  /** Report a diagnostic line; optional, absent when the runtime does not collect them. */
  log?(level: ToolLogLevel, message: string): void;
}

/** A tool: a named operation an agent invokes through `ctx.tools.call` (§9.3). */
export interface ToolDefinition {
  name: string;
  description?: string | undefined;
  /** Run the tool; the resolved value (JSON-serialisable) is the call's result. */
  call(args: Record<string, unknown>, env: ToolEnvironment): Promise<unknown>;
}

/** Identity helper that gives `call` its types. */
export function defineTool(definition: ToolDefinition): ToolDefinition {
  return definition;
}

/** Whether `value` has the shape of a tool definition (a name and a `call` function). */
export function looksLikeTool(value: unknown): value is ToolDefinition {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<ToolDefinition>;
  return typeof v.name === "string" && typeof v.call === "function";
}

/** The tools a runtime can dispatch to, by name. */
export class ToolRegistry {
  readonly #tools = new Map<string, ToolDefinition>();

  constructor(tools: Iterable<ToolDefinition> = []) {
    for (const tool of tools) this.register(tool);
  }

  /**
   * Add a tool.
   *
   * @throws ConfigError for an invalid name or a name already registered.
   */
  register(tool: ToolDefinition): void {
    if (!looksLikeTool(tool)) throw new ConfigError("a tool needs a name and a call function");
    if (!TOOL_NAME_PATTERN.test(tool.name)) {
      throw new ConfigError(
        `invalid tool name ${JSON.stringify(tool.name)} (use [a-z0-9][a-z0-9._-]*)`,
      );
    }
    if (this.#tools.has(tool.name)) throw new ConfigError(`tool ${tool.name} is registered twice`);
    this.#tools.set(tool.name, tool);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  get(name: string): ToolDefinition | undefined {
    return this.#tools.get(name);
  }

  /** Every registered tool, sorted by name. */
  list(): ToolDefinition[] {
    return [...this.#tools.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /**
   * Call the tool `name` (the lease check for `tool.call` is the caller's, §9.3). Whatever the
   * tool throws becomes an `ArcpError`; an `undefined` result becomes `null`.
   *
   * @throws ArcpError `INVALID_REQUEST` for an unknown tool; the tool's own error otherwise.
   */
  async call(name: string, args: Record<string, unknown>, env: ToolEnvironment): Promise<unknown> {
    const tool = this.#tools.get(name);
    if (tool === undefined)
      throw new ArcpError("INVALID_REQUEST", `unknown tool ${JSON.stringify(name)}`);
    try {
      return (await tool.call(args, env)) ?? null;
    } catch (error) {
      throw ArcpError.from(error);
    }
  }
}
