/**
 * Command tools: any executable, declared in config, called once per `tool.call` (§9.3). It reads
 * one JSON line `{"args", "job": {"id", "traceparent"}}` on stdin and answers with one line
 * `{"result": …}` or `{"error": {"code", "message"}}` on stdout; stderr lines are logged.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ErrorCode } from "../protocol/error-codes.js";
import { ArcpError, ConfigError } from "../protocol/errors.js";
import { abortError } from "../world/abort.js";
import type { ToolDefinition, ToolEnvironment } from "./tool.js";

/** How long a call may run when the config sets no `timeout_ms`. */
export const DEFAULT_COMMAND_TOOL_TIMEOUT_MS = 30_000;
/** The longest answer line accepted, in UTF-16 code units. */
export const MAX_COMMAND_TOOL_OUTPUT = 16 * 1024 * 1024;
/** Between SIGTERM and SIGKILL, and how long a tool may linger after answering. */
const KILL_GRACE_MS = 1000;
const MAX_MESSAGE_LENGTH = 1000;
/** Codes a tool may report; the rest describe runtime states a tool must not claim. */
const TOOL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "INVALID_REQUEST",
  "PERMISSION_DENIED",
  "BUDGET_EXHAUSTED",
  "INTERNAL_ERROR",
]);

/** A command tool as declared in the config file's `tools` array (the CLI's CommandToolConfig). */
export interface CommandToolSpec {
  name: string;
  /** argv: the executable and its arguments (no shell). */
  command: string[];
  description?: string | undefined;
  cwd?: string | undefined;
  /** Extra environment; the child otherwise sees only PATH. */
  env?: Record<string, string> | undefined;
  timeout_ms?: number | undefined;
}

/**
 * A tool that runs `spec.command` for every call.
 *
 * @throws ConfigError when the command is empty.
 */
export function commandTool(spec: CommandToolSpec): ToolDefinition {
  if (spec.command.length === 0 || spec.command[0] === "") {
    throw new ConfigError(`tool ${spec.name} has no command`);
  }
  return {
    name: spec.name,
    description: spec.description,
    call: (args, env) => runCommandTool(spec, args, env),
  };
}

function runCommandTool(
  spec: CommandToolSpec,
  args: Record<string, unknown>,
  env: ToolEnvironment,
): Promise<unknown> {
  if (env.signal.aborted) return Promise.reject(abortError(env.signal));
  const request = `${JSON.stringify({ args, job: { id: env.jobId, traceparent: env.traceparent } })}\n`;
  const [file = "", ...argv] = spec.command;
  const child = spawn(file, argv, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...spec.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const timeoutMs = spec.timeout_ms ?? DEFAULT_COMMAND_TOOL_TIMEOUT_MS;
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { result: unknown } | ArcpError, lingerMs: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      env.signal.removeEventListener("abort", onAbort);
      stop(child, lingerMs);
      if (outcome instanceof ArcpError) reject(outcome);
      else resolve(outcome.result);
    };
    const fail = (message: string): void =>
      finish(new ArcpError("INTERNAL_ERROR", `tool ${spec.name} ${message}`), 0);
    const onAbort = (): void => finish(abortError(env.signal), 0);
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
    env.signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error) => fail(`could not be started: ${error.message}`));
    // "close", not "exit": the answer line may still be in the pipe when the process exits.
    child.on("close", (code, signal) =>
      fail(`exited (${signal ?? `code ${code}`}) without a result`),
    );
    readFirstLine(child, (line) => finish(parseAnswer(spec.name, line), KILL_GRACE_MS), fail);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (line.trim() !== "") env.log?.("info", `${spec.name}: ${line}`);
    });
    child.stdin!.on("error", () => {});
    child.stdin!.end(request);
  });
}

/** Deliver the first non-blank stdout line, or fail when it grows past the limit. */
function readFirstLine(
  child: ChildProcess,
  onLine: (line: string) => void,
  fail: (message: string) => void,
): void {
  let buffered = "";
  let done = false;
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    if (done) return;
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.trim() === "") continue;
      done = true;
      onLine(line);
      return;
    }
    if (buffered.length > MAX_COMMAND_TOOL_OUTPUT) {
      done = true;
      fail(`wrote more than ${MAX_COMMAND_TOOL_OUTPUT} characters without a newline`);
    }
  });
}

/** Turn the answer line into a result or an error; never echoes the line itself. */
function parseAnswer(name: string, line: string): { result: unknown } | ArcpError {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  if (isObject(value) && Object.hasOwn(value, "result")) return { result: value.result };
  if (isObject(value) && isObject(value.error)) {
    const { code, message } = value.error;
    const known = typeof code === "string" && TOOL_CODES.has(code as ErrorCode);
    const text =
      typeof message === "string" && message !== "" ? message : "the tool reported an error";
    return new ArcpError(
      known ? (code as ErrorCode) : "INTERNAL_ERROR",
      text.slice(0, MAX_MESSAGE_LENGTH),
    );
  }
  return new ArcpError(
    "INTERNAL_ERROR",
    `tool ${name} wrote a line that is neither {"result"} nor {"error"}`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** SIGTERM after `lingerMs` (0: now), then SIGKILL after a grace period, unless it exits first. */
function stop(child: ChildProcess, lingerMs: number): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const term = setTimeout(() => child.kill("SIGTERM"), lingerMs);
  const kill = setTimeout(() => child.kill("SIGKILL"), lingerMs + KILL_GRACE_MS);
  term.unref();
  kill.unref();
  child.once("exit", () => {
    clearTimeout(term);
    clearTimeout(kill);
  });
}
