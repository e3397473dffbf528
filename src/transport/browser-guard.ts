/**
 * Refusing browser pages we did not invite (DESIGN-20): a cross-site WebSocket hijack, a
 * cross-site form POST, or a DNS-rebound page reaching a loopback server. Non-browser clients
 * send no `Origin` and name the host they dialled, so they pass untouched.
 */
import { ConfigError } from "../protocol/errors.js";

/** Request headers as Node gives them (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface BrowserGuardOptions {
  /** The address the server binds; `Host` is checked only when it is a loopback one. */
  bindHost?: string;
  /** Origins (`scheme://host[:port]`) whose pages may call us; any other `Origin` is refused. */
  allowedOrigins?: readonly string[];
  /** Host names a loopback server also answers to, besides the loopback names and the bind address. */
  allowedHosts?: readonly string[];
}

/** The checks, each answering why a request is refused, or `undefined` to let it through. */
export interface BrowserGuard {
  /** A WebSocket upgrade: `Host`, then `Origin` (browsers always send it on WebSocket). */
  checkUpgrade(headers: RequestHeaders): string | undefined;
  /** An HTTP request: `Host`, then `Origin`, then `Sec-Fetch-Site` when there is no `Origin`. */
  checkRequest(headers: RequestHeaders): string | undefined;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Whether a bind address or host name is loopback: `localhost`, 127.0.0.0/8 or `::1`. */
export function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return n === "localhost" || n === "::1" || n === "0:0:0:0:0:0:0:1" || LOOPBACK_V4.test(n);
}

/**
 * An allowed origin as browsers serialise it (`https://app.example`, default port dropped).
 * @throws ConfigError when it is not an http(s) origin without path, query or credentials.
 */
export function normalizeOrigin(text: string): string {
  const url = URL.parse(text.trim());
  const plain =
    url !== null &&
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "";
  if (!plain) {
    throw new ConfigError(
      `--allowed-origin / RUNPLANE_ALLOWED_ORIGINS must be http(s)://host[:port], not ${JSON.stringify(text)}`,
    );
  }
  return url.origin;
}

/** The host name of a `Host` header value (port dropped, IPv6 brackets removed), lower-cased. */
export function hostNameOf(host: string): string | undefined {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    if (end === -1 || !/^(:\d*)?$/.test(h.slice(end + 1))) return undefined;
    return h.slice(1, end);
  }
  const m = /^([^:\s]+)(:\d*)?$/.exec(h);
  return m?.[1]?.replace(/\.$/, "");
}

/**
 * An allowed host name (`runplane.internal`, optionally with a port, which is ignored).
 * @throws ConfigError when it is not a host name.
 */
export function normalizeHostName(text: string): string {
  const name = hostNameOf(text);
  if (name === undefined || name === "" || /[/?#@]/.test(name)) {
    throw new ConfigError(
      `--allowed-host / RUNPLANE_ALLOWED_HOSTS must be a host name, not ${JSON.stringify(text)}`,
    );
  }
  return name;
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Builds the guard. `Origin` must be one of `allowedOrigins` when present; `Host` must name
 * a loopback address, the bind address or one of `allowedHosts` when the bind is loopback
 * (defeating DNS rebinding; a non-loopback server must authenticate every call anyway).
 */
export function createBrowserGuard(options: BrowserGuardOptions): BrowserGuard {
  const origins = new Set((options.allowedOrigins ?? []).map(normalizeOrigin));
  const bind = options.bindHost;
  const checkHost = bind !== undefined && isLoopbackName(bind);
  const hosts = new Set((options.allowedHosts ?? []).map(normalizeHostName));
  if (bind !== undefined) hosts.add(bind.toLowerCase().replace(/^\[(.*)\]$/, "$1"));

  const hostRefusal = (headers: RequestHeaders): string | undefined => {
    const host = single(headers.host);
    // Only HTTP/1.0 requests lack Host, and no browser sends those.
    if (!checkHost || host === undefined) return undefined;
    const name = hostNameOf(host);
    if (name !== undefined && (isLoopbackName(name) || hosts.has(name))) return undefined;
    return "Host is not a name of this server; add it with --allowed-host";
  };
  const originRefusal = (headers: RequestHeaders): string | undefined => {
    const origin = single(headers.origin);
    if (origin === undefined) return undefined;
    const parsed = URL.parse(origin);
    if (parsed !== null && origins.has(parsed.origin)) return undefined;
    return "cross-origin requests are refused; allow the page's origin with --allowed-origin";
  };

  return {
    checkUpgrade: (headers) => hostRefusal(headers) ?? originRefusal(headers),
    checkRequest(headers) {
      const refusal = hostRefusal(headers) ?? originRefusal(headers);
      if (refusal !== undefined || single(headers.origin) !== undefined) return refusal;
      // No Origin (a GET from an <img> or <script>, an old browser): the fetch metadata tells.
      const site = single(headers["sec-fetch-site"]);
      if (site === "cross-site" || site === "same-site") {
        return "cross-site requests are refused; allow the page's origin with --allowed-origin";
      }
      return undefined;
    },
  };
}
