/**
 * Outbound HTTP for `net.fetch` (§9.3) and tools: redirects are followed by hand so that every
 * hop is checked against the lease before it is requested, and `traceparent` is sent (§11).
 */
import type { FetchInit, FetchResult } from "../agents/agent.js";
import { ArcpError } from "../protocol/errors.js";
import { abortError } from "./abort.js";

/** The most redirects one fetch follows. */
export const MAX_REDIRECTS = 5;

export interface HttpFetchOptions {
  /** The job's signal: cancellation, expiry, shutdown. */
  signal: AbortSignal;
  /** W3C trace context sent as the `traceparent` header (§11). */
  traceparent: string;
  /** Limit for the whole exchange, redirects and body included. */
  timeoutMs: number;
  /** Largest response body accepted, in bytes. */
  maxBytes: number;
  /** Throws unless the lease covers `url` (§9.3); called for the first URL and every redirect. */
  checkUrl(url: string): void;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization"];

interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
}

/**
 * Perform one HTTP(S) request for an agent or tool (§9.3, §11).
 *
 * @throws ArcpError `PERMISSION_DENIED` (from `checkUrl`) before any uncovered URL is
 * requested; `INVALID_REQUEST` for a malformed request or an oversized body;
 * `INTERNAL_ERROR` for network failures, timeouts and redirect loops; the job signal's reason
 * when it fires. Messages name the origin only, never the path, query or credentials.
 */
export async function httpFetch(
  url: string,
  init: FetchInit,
  options: HttpFetchOptions,
): Promise<FetchResult> {
  let hop = firstHop(url, init, options.traceparent);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  for (let redirects = 0; ; redirects++) {
    check(options, hop.url);
    const response = await send(hop, signal, options, timeout);
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) {
      // A HEAD answer declares the size of a body it does not send.
      const limit = hop.method === "HEAD" ? Number.POSITIVE_INFINITY : options.maxBytes;
      const body = await guard(readBodyText(response, limit), hop.url, options, timeout);
      return { status: response.status, headers: lowerCasedHeaders(response.headers), body };
    }
    await response.body?.cancel().catch(() => {});
    if (redirects === MAX_REDIRECTS) {
      throw new ArcpError(
        "INTERNAL_ERROR",
        `more than ${MAX_REDIRECTS} redirects from ${hop.url.origin}`,
      );
    }
    hop = nextHop(hop, response.status, location);
  }
}

function check(options: HttpFetchOptions, url: URL): void {
  try {
    options.checkUrl(url.href);
  } catch (error) {
    throw ArcpError.from(error);
  }
}

function firstHop(url: string, init: FetchInit, traceparent: string): Hop {
  const parsed = parseHttpUrl(url);
  const method = (init.method ?? "GET").toUpperCase();
  if ((method === "GET" || method === "HEAD") && init.body !== undefined) {
    throw new ArcpError("INVALID_REQUEST", `a ${method} request cannot have a body`);
  }
  let headers: Headers;
  try {
    headers = new Headers(init.headers);
  } catch {
    // The platform's message would quote the offending value, which may be a secret.
    throw new ArcpError("INVALID_REQUEST", "invalid request headers");
  }
  headers.set("traceparent", traceparent);
  return { url: parsed, method, headers, body: init.body };
}

function parseHttpUrl(url: string, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new ArcpError(
      "INVALID_REQUEST",
      base === undefined ? "invalid URL" : "invalid redirect URL",
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ArcpError("INVALID_REQUEST", "only http and https URLs can be fetched");
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new ArcpError("INVALID_REQUEST", "URLs must not carry credentials");
  }
  parsed.hash = "";
  return parsed;
}

/** The request a redirect asks for, with the method and body rules browsers follow. */
function nextHop(hop: Hop, status: number, location: string): Hop {
  const url = parseHttpUrl(location, hop.url);
  const headers = new Headers(hop.headers);
  if (url.origin !== hop.url.origin) for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name);
  const toGet =
    status === 303
      ? hop.method !== "HEAD"
      : (status === 301 || status === 302) && hop.method === "POST";
  if (!toGet) return { url, method: hop.method, headers, body: hop.body };
  headers.delete("content-type");
  headers.delete("content-length");
  return { url, method: "GET", headers, body: undefined };
}

async function send(
  hop: Hop,
  signal: AbortSignal,
  options: HttpFetchOptions,
  timeout: AbortSignal,
): Promise<Response> {
  const init: RequestInit = {
    method: hop.method,
    headers: hop.headers,
    redirect: "manual",
    signal,
  };
  if (hop.body !== undefined) init.body = hop.body;
  return guard(fetch(hop.url, init), hop.url, options, timeout);
}

/** Map failures of `work` to spec errors that name only the origin of `url`. */
async function guard<T>(
  work: Promise<T>,
  url: URL,
  options: HttpFetchOptions,
  timeout: AbortSignal,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ArcpError) throw error;
    if (options.signal.aborted) throw abortError(options.signal);
    if (timeout.aborted) {
      throw new ArcpError(
        "INTERNAL_ERROR",
        `request to ${url.origin} timed out after ${options.timeoutMs} ms`,
      );
    }
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof code === "string" ? ` (${code})` : "";
    throw new ArcpError("INTERNAL_ERROR", `request to ${url.origin} failed${why}`);
  }
}

/**
 * Read a response body as UTF-8 text, refusing more than `maxBytes` bytes; the rest of the
 * body is discarded unread.
 *
 * @throws ArcpError `INVALID_REQUEST` when the body is larger than `maxBytes`.
 */
export async function readBodyText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw bodyTooLarge(maxBytes);
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function bodyTooLarge(maxBytes: number): ArcpError {
  return new ArcpError("INVALID_REQUEST", `response body exceeds ${maxBytes} bytes`);
}

function lowerCasedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  // Headers iterates with lower-cased names and joins repeated values.
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}
