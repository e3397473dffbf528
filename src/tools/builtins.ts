/**
 * Built-in tools: `noop`, `clock.now`, `http.get`, `fs.read`, `fs.write`. The I/O ones act only
 * through the lease-checked environment (§9.3), so `tool.call` of `fs.read` also needs `fs.read`.
 */
import { z } from "zod";
import { describeIssues } from "../protocol/envelope.js";
import { ArcpError } from "../protocol/errors.js";
import { defineTool, type ToolDefinition } from "./tool.js";

const HttpGetArgs = z.strictObject({
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
});
const FsReadArgs = z.strictObject({ path: z.string().min(1) });
const FsWriteArgs = z.strictObject({ path: z.string().min(1), content: z.string() });

/**
 * Validate a tool's arguments.
 *
 * @throws ArcpError `INVALID_REQUEST` naming the tool and the offending field.
 */
export function parseToolArgs<T>(tool: string, schema: z.ZodType<T>, args: unknown): T {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  throw new ArcpError("INVALID_REQUEST", `${tool}: ${describeIssues(parsed.error.issues, "args")}`);
}

export interface BuiltinToolOptions {
  /** The clock `clock.now` reads (default: the system clock). */
  now?: () => Date;
}

/** The built-in tools, in a fresh array (§9.3). */
export function builtinTools(options: BuiltinToolOptions = {}): ToolDefinition[] {
  const now = options.now ?? (() => new Date());
  return [
    defineTool({
      name: "noop",
      description: "Does nothing and returns {}.",
      call: async () => ({}),
    }),
    defineTool({
      name: "clock.now",
      description: "The runtime's current time: {now: ISO 8601}.",
      call: async () => ({ now: now().toISOString() }),
    }),
    defineTool({
      name: "http.get",
      description: "GET a URL under net.fetch: {url, headers?} -> {status, headers, body}.",
      call: async (args, env) => {
        const { url, headers } = parseToolArgs("http.get", HttpGetArgs, args);
        return env.fetch(
          url,
          headers === undefined ? { method: "GET" } : { method: "GET", headers },
        );
      },
    }),
    defineTool({
      name: "fs.read",
      description: "Read a UTF-8 file under fs.read: {path} -> {path, content}.",
      call: async (args, env) => {
        const { path } = parseToolArgs("fs.read", FsReadArgs, args);
        return { path, content: await env.readFile(path) };
      },
    }),
    defineTool({
      name: "fs.write",
      description: "Write a UTF-8 file under fs.write: {path, content} -> {path, bytes}.",
      call: async (args, env) => {
        const { path, content } = parseToolArgs("fs.write", FsWriteArgs, args);
        await env.writeFile(path, content);
        return { path, bytes: Buffer.byteLength(content, "utf8") };
      },
    }),
  ];
}
