/** HTTP calls from the forwarding gateway to an ARP Run Coordinator (DESIGN-18), bounded in time and size. */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { type ArpHttpError, coordinatorUnavailable } from "../arp-error.js";
import { STATUSES, type Status } from "../schemas/index.js";

/** A coordinator answer read in full. */
export interface UpstreamReply {
  status: number;
  contentType: string | undefined;
  text: string;
  wwwAuthenticate: string | undefined;
}

export interface CallOptions {
  token?: string | undefined;
  body?: string | undefined;
  traceparent?: string | undefined;
}

export interface CoordinatorClientOptions {
  baseUrl: string;
  /** Bound on one call; for a stream, on the wait for its response headers. */
  timeoutMs: number;
  /** Largest JSON answer read (default 4 MiB); a larger one is an unusable reply. */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

const HEALTH_TIMEOUT_MS = 5000;

/** Why a call failed, in words that hold no secret (the URL carries none). */
function reasonOf(err: unknown, timeoutMs: number): string {
  const cause = (err as { cause?: { name?: unknown; code?: unknown } } | undefined)?.cause;
  if (err instanceof Error && (err.name === "TimeoutError" || cause?.name === "TimeoutError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = cause?.code ?? (err as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^E[A-Z_]{2,40}$/.test(code))
    return `connection failed (${code})`;
  if (err instanceof Error && err.message === "reply too large") return "reply too large";
  return "request failed";
}

async function readLimited(body: AsyncIterable<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) throw new Error("reply too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

class HeadersTimeout extends Error {
  override name = "TimeoutError";
}

/**
 * Calls `{baseUrl}/v1/…` with `Authorization: Bearer <token>`. Transport failures, timeouts
 * and oversized answers become 502 `run_coordinator_unavailable` (arp-fwd-upstream-failure).
 */
export class CoordinatorClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #fetch: typeof fetch;

  constructor(options: CoordinatorClientOptions) {
    this.baseUrl = options.baseUrl;
    this.#timeoutMs = options.timeoutMs;
    this.#maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.#fetch = options.fetch ?? fetch;
  }

  /** 502 naming the coordinator and what went wrong. */
  unavailable(reason: string, extra: Record<string, unknown> = {}): ArpHttpError {
    return coordinatorUnavailable({ run_coordinator_url: this.baseUrl, error: reason, ...extra });
  }

  #headers(options: CallOptions, accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.traceparent !== undefined) headers.traceparent = options.traceparent;
    return headers;
  }

  /** One JSON call, read in full. */
  async call(
    method: "GET" | "POST",
    path: string,
    options: CallOptions = {},
  ): Promise<UpstreamReply> {
    try {
      const response = await this.#fetch(this.baseUrl + path, {
        method,
        headers: this.#headers(options, "application/json"),
        ...(options.body === undefined ? {} : { body: options.body }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await readLimited(
        response.body as AsyncIterable<Uint8Array> | null,
        this.#maxBodyBytes,
      );
      return {
        status: response.status,
        contentType: response.headers.get("content-type") ?? undefined,
        text,
        wwwAuthenticate: response.headers.get("www-authenticate") ?? undefined,
      };
    } catch (err) {
      throw this.unavailable(reasonOf(err, this.#timeoutMs));
    }
  }

  /**
   * Opens a streamed GET with `node:http`, which, unlike fetch, has no idle-body timeout: a
   * run may be quiet for as long as it likes. `signal` (the client going away) aborts it at
   * any time; the timeout applies only until the response headers arrive.
   */
  open(path: string, options: CallOptions & { signal: AbortSignal }): Promise<IncomingMessage> {
    const url = new URL(this.baseUrl + path);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        headers: this.#headers(options, "application/x-ndjson"),
        signal: options.signal,
      });
      const timer = setTimeout(() => req.destroy(new HeadersTimeout()), this.#timeoutMs);
      req.once("response", (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      req.once("error", (err) => {
        clearTimeout(timer);
        reject(this.unavailable(reasonOf(err, this.#timeoutMs)));
      });
      req.end();
    });
  }

  /** Reads a streamed answer's body within the size bound (502 beyond it). */
  async text(response: IncomingMessage): Promise<string> {
    try {
      return await readLimited(response, this.#maxBodyBytes);
    } catch (err) {
      throw this.unavailable(reasonOf(err, this.#timeoutMs));
    }
  }

  /** The coordinator's own health status, without credentials (health is open, arp-health-version-no-auth). */
  async health(): Promise<{ status: Status; message?: string }> {
    const timeoutMs = Math.min(this.#timeoutMs, HEALTH_TIMEOUT_MS);
    try {
      const response = await this.#fetch(`${this.baseUrl}/v1/health`, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await readLimited(response.body as AsyncIterable<Uint8Array> | null, 64 * 1024);
      if (response.status !== 200)
        return { status: "down", message: `health answered HTTP ${response.status}` };
      const status = (JSON.parse(text) as { status?: unknown }).status;
      return (STATUSES as readonly unknown[]).includes(status)
        ? { status: status as Status }
        : { status: "down", message: "health answer has no valid status" };
    } catch (err) {
      return {
        status: "down",
        message:
          err instanceof SyntaxError ? "health answer is not JSON" : reasonOf(err, timeoutMs),
      };
    }
  }
}
