/**
 * `runplane submit`: submit one job over ARCP, stream its events readably (or as JSON lines
 * with --json), assemble a chunked result, and exit 0 on success, 1 on job.error, 2 otherwise.
 */
import { ConfigError } from "../protocol/errors.js";
import { ArcpClient, type Envelope } from "./arcp-client.js";
import { integerFlag } from "./flag-values.js";
import { createRenderer } from "./render.js";

export interface SubmitOptions {
  url: string;
  token?: string | undefined;
  agent: string;
  input: string;
  lease?: string | undefined;
  expiresAt?: string | undefined;
  maxRuntime?: string | undefined;
  idempotencyKey?: string | undefined;
  json?: boolean;
}

function parseJson(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${flag} must be JSON`);
  }
}

export function buildSubmitPayload(o: SubmitOptions): Record<string, unknown> {
  const payload: Record<string, unknown> = { agent: o.agent, input: parseJson("--input", o.input) };
  if (o.lease !== undefined) payload["lease_request"] = parseJson("--lease", o.lease);
  if (o.expiresAt !== undefined) payload["lease_constraints"] = { expires_at: o.expiresAt };
  const maxRuntime = integerFlag(o.maxRuntime, "--max-runtime", { min: 1, max: 2_073_600 });
  if (maxRuntime !== undefined) payload["max_runtime_sec"] = maxRuntime;
  if (o.idempotencyKey !== undefined) payload["idempotency_key"] = o.idempotencyKey;
  return payload;
}

export async function runSubmit(o: SubmitOptions): Promise<number> {
  const payload = buildSubmitPayload(o);
  const client = await ArcpClient.connect(o.url, o.token);
  const render = createRenderer(process.stdout, process.stderr);
  const chunks: Buffer[] = [];
  let jobId: string | undefined;
  const onSigint = (): void => {
    if (jobId !== undefined)
      client.send("job.cancel", { reason: "interrupted" }, { job_id: jobId });
  };
  process.once("SIGINT", onSigint);
  try {
    return await new Promise<number>((resolve) => {
      client.onEnvelope((env: Envelope) => {
        if (o.json === true) process.stdout.write(`${JSON.stringify(env)}\n`);
        if (env.type === "job.accepted") {
          jobId = env.job_id;
          if (o.json !== true)
            process.stderr.write(
              `accepted ${String(env.job_id)} (${String(env.payload["agent"])})\n`,
            );
          return;
        }
        if (
          env.job_id !== jobId &&
          env.type !== "session.error" &&
          !(env.type === "job.error" && jobId === undefined)
        )
          return;
        if (env.type === "job.event") {
          const kind = String(env.payload["kind"]);
          const body = env.payload["body"] as Record<string, unknown>;
          if (kind === "result_chunk") {
            chunks.push(
              Buffer.from(String(body["data"]), body["encoding"] === "base64" ? "base64" : "utf8"),
            );
          }
          if (o.json !== true) render.event(kind, body);
        } else if (env.type === "job.result") {
          render.done();
          if (o.json !== true) {
            const result =
              env.payload["result_id"] === undefined
                ? JSON.stringify(env.payload["result"] ?? null, null, 2)
                : Buffer.concat(chunks).toString("utf8");
            process.stdout.write(`${result}\n`);
          }
          resolve(0);
        } else if (env.type === "job.error" || env.type === "session.error") {
          render.done();
          if (o.json !== true)
            process.stderr.write(
              `error ${String(env.payload["code"])}: ${String(env.payload["message"])}\n`,
            );
          resolve(1);
        }
      });
      void client.closed.then(() => resolve(2));
      client.send("job.submit", payload);
    });
  } finally {
    process.off("SIGINT", onSigint);
    client.close();
  }
}
