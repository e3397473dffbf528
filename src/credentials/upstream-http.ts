/** JSON over HTTP for provisioner adapters: timeouts, cancellation, and error text free of secrets. */
import { CredentialError } from "./provisioner.js";

export interface UpstreamResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  json: unknown;
}

export interface UpstreamRequest {
  /** What the call does, for error messages (`litellm key/generate`). */
  operation: string;
  url: string;
  method?: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

const MAX_DETAIL = 160;
// Bearer-style secrets as upstreams commonly format them; stripped from quoted error text.
const TOKEN_LIKE = /\b(?:sk|whk)-[A-Za-z0-9_-]{6,}/g;

/**
 * Send one request and read its JSON answer. Network failures and timeouts reject with a
 * CredentialError naming `operation`; HTTP error statuses are returned, not thrown.
 */
export async function callUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout]);
  let response: Response;
  let text: string;
  try {
    const init: RequestInit = { method: req.method ?? "POST", headers: req.headers, signal };
    if (req.body !== undefined) init.body = req.body;
    response = await fetch(req.url, init);
    text = await response.text();
  } catch (error) {
    throw transportError(req, error, timeout.aborted);
  }
  return { status: response.status, json: parseJson(text) };
}

function transportError(req: UpstreamRequest, error: unknown, timedOut: boolean): CredentialError {
  if (timedOut) {
    return new CredentialError(`${req.operation} timed out after ${req.timeoutMs} ms`);
  }
  if (req.signal?.aborted === true) {
    return new CredentialError(`${req.operation} was cancelled`);
  }
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  const why = typeof code === "string" ? code : "network error";
  return new CredentialError(`${req.operation} failed: ${why}`);
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The upstream's own error message, if it gave one, shortened and with anything token-like
 * removed, so it can go into a log line or the ledger's `lastError`.
 */
export function upstreamDetail(json: unknown): string {
  const message = findMessage(json);
  if (message === undefined) return "";
  const cleaned = message.replace(TOKEN_LIKE, "[redacted]").replace(/\s+/g, " ").trim();
  return cleaned.length > MAX_DETAIL ? `${cleaned.slice(0, MAX_DETAIL)}…` : cleaned;
}

function findMessage(json: unknown): string | undefined {
  if (typeof json === "string") return json;
  if (typeof json !== "object" || json === null) return undefined;
  const record = json as Record<string, unknown>;
  for (const key of ["error", "detail", "message"]) {
    const found = findMessage(record[key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A CredentialError for an HTTP error status. */
export function statusError(operation: string, status: number, json: unknown): CredentialError {
  const detail = upstreamDetail(json);
  const suffix = detail === "" ? "" : `: ${detail}`;
  return new CredentialError(`${operation} returned HTTP ${status}${suffix}`, { status });
}

/** `base` without trailing slashes, so paths can be appended. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, "");
}
