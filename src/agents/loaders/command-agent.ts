/**
 * Command agents: any executable speaking the JSON-lines protocol of command-protocol.ts.
 * Mediated operations requested with `call` lines go through the same context (and so the
 * same lease checks) as in-process agents. Cancellation closes stdin, then SIGTERM, then
 * SIGKILL after a grace period.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { isErrorCode } from "../../protocol/error-codes.js";
import { ArcpError } from "../../protocol/errors.js";
import type { AgentContext, AgentDefinition, ResultWriter } from "../agent.js";
import { type AgentLine, AgentLineSchema } from "./command-protocol.js";

export interface CommandAgentSpec {
  name: string;
  version: string;
  default?: boolean;
  description?: string;
  /** argv: the executable and its arguments. */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Milliseconds between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

export function commandAgent(spec: CommandAgentSpec): AgentDefinition {
  const def: AgentDefinition = {
    name: spec.name,
    version: spec.version,
    run: (input, ctx) => runCommand(spec, input, ctx),
  };
  if (spec.default !== undefined) def.default = spec.default;
  if (spec.description !== undefined) def.description = spec.description;
  return def;
}

function jobHeader(ctx: AgentContext): Record<string, unknown> {
  const j = ctx.job;
  return {
    id: j.id,
    agent: j.agent,
    version: j.version,
    lease: j.lease,
    expires_at: j.expiresAt ?? null,
    budget: j.budget ?? null,
    trace_id: j.traceId,
    traceparent: j.traceparent,
    parent_job_id: j.parentJobId ?? null,
    credentials: j.credentials,
  };
}

function terminate(child: ChildProcess, graceMs: number): void {
  child.stdin?.end();
  const term = setTimeout(() => child.kill("SIGTERM"), 100);
  const kill = setTimeout(() => child.kill("SIGKILL"), 100 + graceMs);
  term.unref();
  kill.unref();
  child.once("exit", () => {
    clearTimeout(term);
    clearTimeout(kill);
  });
}

async function callOperation(
  ctx: AgentContext,
  op: string,
  args: Record<string, unknown>,
): Promise<unknown> {
  const s = (k: string): string => String(args[k] ?? "");
  switch (op) {
    case "tool.call":
      return ctx.tools.call(s("name"), (args["args"] as Record<string, unknown> | undefined) ?? {});
    case "fs.read":
      return ctx.fs.read(s("path"));
    case "fs.write":
      return ctx.fs.write(s("path"), s("data"));
    case "net.fetch":
      return ctx.net.fetch(s("url"), (args["init"] as Record<string, string> | undefined) ?? {});
    case "model.invoke":
      return ctx.models.invoke(
        s("model"),
        (args["request"] as Record<string, unknown> | undefined) ?? {},
      );
    case "delegate": {
      const options: Record<string, unknown> = {};
      if (args["lease"] !== undefined) options["lease"] = args["lease"];
      if (args["lease_constraints"] !== undefined)
        options["leaseConstraints"] = args["lease_constraints"];
      return ctx.delegate(s("agent"), args["input"], options);
    }
    default:
      throw new ArcpError("INVALID_REQUEST", `unknown operation "${op}"`);
  }
}

function runCommand(spec: CommandAgentSpec, input: unknown, ctx: AgentContext): Promise<unknown> {
  const [file, ...argv] = spec.command;
  if (file === undefined)
    return Promise.reject(new ArcpError("INTERNAL_ERROR", "command agent has no command"));
  const child = spawn(file, argv, {
    cwd: spec.cwd,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...spec.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const send = (msg: unknown): void => {
    if (child.stdin?.writable) child.stdin.write(`${JSON.stringify(msg)}\n`);
  };
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    let writer: ResultWriter | undefined;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener("abort", onAbort);
      fn();
    };
    const onAbort = (): void => {
      terminate(child, spec.killGraceMs ?? 2000);
      settle(() => reject(ctx.signal.reason ?? new ArcpError("CANCELLED", "cancelled")));
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    child.stdin?.on("error", () => {});
    child.on("error", (error) =>
      settle(() =>
        reject(new ArcpError("INTERNAL_ERROR", `cannot start command agent: ${error.message}`)),
      ),
    );
    // "close" (not "exit") so every stdout line, the result included, is read first.
    child.on("close", (code, signal) =>
      settle(() =>
        reject(
          new ArcpError(
            "INTERNAL_ERROR",
            `agent exited (${signal ?? `code ${code}`}) without a result`,
          ),
        ),
      ),
    );
    createInterface({ input: child.stderr }).on("line", (line) => {
      if (line.trim() !== "") void ctx.log("info", line).catch(() => {});
    });
    const handle = async (line: AgentLine): Promise<void> => {
      if ("event" in line) {
        await (ctx.emit as (k: string, b: unknown) => Promise<void>)(
          line.event.kind,
          line.event.body,
        ).catch((error: unknown) => ctx.log("warn", `event dropped: ${(error as Error).message}`));
      } else if ("call" in line) {
        const { id, op, args = {} } = line.call;
        try {
          send({ reply: { id, result: (await callOperation(ctx, op, args)) ?? null } });
        } catch (error) {
          const err = ArcpError.from(error);
          send({ reply: { id, error: { code: err.code, message: err.message } } });
        }
      } else if ("chunk" in line) {
        writer ??= ctx.result.stream();
        const { data, encoding } = line.chunk;
        await writer.write(encoding === "base64" ? Buffer.from(data, "base64") : data);
      } else if ("result" in line) {
        const value = writer === undefined ? line.result : await writer.end();
        terminate(child, spec.killGraceMs ?? 2000);
        settle(() => resolve(value));
      } else {
        const code = isErrorCode(line.error.code) ? line.error.code : "INTERNAL_ERROR";
        terminate(child, spec.killGraceMs ?? 2000);
        settle(() => reject(new ArcpError(code, line.error.message ?? "agent reported an error")));
      }
    };
    createInterface({ input: child.stdout }).on("line", (text) => {
      if (text.trim() === "" || settled) return;
      let parsed: ReturnType<typeof AgentLineSchema.safeParse>;
      try {
        parsed = AgentLineSchema.safeParse(JSON.parse(text));
      } catch {
        void ctx.log("warn", "agent wrote a line that is not JSON").catch(() => {});
        return;
      }
      if (!parsed.success) {
        void ctx
          .log("warn", "agent wrote a line the command protocol does not define")
          .catch(() => {});
        return;
      }
      handle(parsed.data).catch((error: unknown) => settle(() => reject(error)));
    });
    send({ input, job: jobHeader(ctx) });
  });
}
