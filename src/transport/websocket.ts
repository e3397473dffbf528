/** WebSocket transport (§4): one ARCP envelope per text frame over `ws`, on path `/arcp`. */
import { type Server as HttpServer, type IncomingMessage, STATUS_CODES } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { type BrowserGuard, createBrowserGuard } from "./browser-guard.js";
import type { Transport, TransportCloseInfo, TransportPeer } from "./transport.js";
import { encodeTextFrames } from "./ws-frames.js";

/** The WebSocket endpoint path (DESIGN-17, requirement arcp-4-ws-path). */
export const DEFAULT_WS_PATH = "/arcp";
/** Hard per-frame cap; above the protocol's message limit so the session can answer politely. */
export const DEFAULT_WS_MAX_PAYLOAD = 16 * 1024 * 1024;
const SHUTDOWN_CODE = 1001;
const MAX_REASON_BYTES = 123;

export interface WebSocketServerOptions {
  /** Called for every accepted connection, before any frame is delivered. Must not throw. */
  onConnection: (transport: Transport, request: IncomingMessage) => void;
  /** Upgrade path served; default `/arcp`. */
  path?: string;
  /** Frames larger than this close the socket with 1009; default 16 MiB. */
  maxPayload?: number;
  /** onDrain fires once bufferedBytes is back at or under this; never below the socket's own. */
  lowWaterMark?: number;
  /** TLS ends at a trusted proxy in front of us, so every connection counts as confidential. */
  trustedProxyTls?: boolean;
  /**
   * Refuses (403) upgrades from browser pages not invited: by default any upgrade carrying an
   * `Origin` header, i.e. every browser page (cross-site WebSocket hijacking).
   */
  browserGuard?: BrowserGuard;
  /** Vet an upgrade before it is accepted; return an HTTP status (401, 403…) to refuse it; a throw refuses with 500. */
  verifyUpgrade?: (request: IncomingMessage) => number | undefined;
  /** Binary frames are not ARCP and are dropped; this hears about them. */
  onBinaryFrame?: (byteLength: number, transport: Transport) => void;
}

export interface WebSocketServerHandle {
  /** Open connections. */
  readonly connections: number;
  /** Stop accepting, send 1001 to every peer, terminate whoever has not gone after graceMs. */
  close(graceMs?: number): Promise<void>;
}

/** Whether an address is IPv4 127.0.0.0/8, IPv6 ::1, or an IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.toLowerCase();
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Whether the request came through a proxy: then the socket's address is the proxy's, not the client's. */
function forwardedOf(request: IncomingMessage): boolean {
  return (
    request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined
  );
}

function peerOf(socket: Duplex, forwarded: boolean, trustedProxyTls: boolean): TransportPeer {
  const s = socket as IncomingMessage["socket"] & { encrypted?: boolean };
  const address = s.remoteAddress;
  const loopback = !forwarded && isLoopbackAddress(address);
  const confidential = loopback || s.encrypted === true || trustedProxyTls;
  return address === undefined ? { loopback, confidential } : { loopback, confidential, address };
}

/** The close code ws sent when it failed a connection, from the error it reported. */
function failureCloseCode(error: Error & { code?: string }): number {
  const code = error.code ?? "";
  if (code === "WS_ERR_INVALID_UTF8") return 1007;
  if (code === "WS_ERR_TOO_MANY_BUFFERED_PARTS") return 1008;
  if (code.endsWith("_LENGTH") && code !== "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH") return 1009;
  return 1002;
}

function safeCloseCode(code: number | undefined): number {
  if (code === undefined) return 1000;
  const valid =
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999);
  return valid ? code : 1000;
}

function safeCloseReason(reason: string | undefined): string {
  let r = (reason ?? "").slice(0, MAX_REASON_BYTES);
  while (Buffer.byteLength(r) > MAX_REASON_BYTES) r = r.slice(0, -1);
  // Do not leave half a surrogate pair at the cut.
  const last = r.charCodeAt(r.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? r.slice(0, -1) : r;
}

/**
 * The server's sockets carry their transport in a declared field, so the listeners below are
 * shared by every connection instead of closures allocated for each one.
 */
class TransportSocket extends WebSocket {
  transport: WebSocketTransport | undefined = undefined;
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as TransportSocket).transport?.receive(data, isBinary);
}

function onSocketError(this: WebSocket, error: Error): void {
  (this as TransportSocket).transport?.failed(error);
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as TransportSocket).transport?.finish(code, reason.toString());
}

const FORWARDED = 1;
const ABOVE_LOW_WATER = 2;

/** What every connection of one server shares. */
interface ServerShared {
  readonly options: WebSocketServerOptions;
  /** The open transports; each leaves when it ends. */
  readonly open: Set<WebSocketTransport>;
}

/** One accepted WebSocket connection behind the transport port. */
class WebSocketTransport implements Transport {
  readonly #ws: TransportSocket;
  readonly #socket: Duplex;
  readonly #server: ServerShared;
  /** FORWARDED (the request came through a proxy; see `peer`) and ABOVE_LOW_WATER bits. */
  #bits: number;
  #localClose: { code: number; reason: string } | undefined;
  /** Set when ws failed the connection itself (oversize, bad UTF-8, protocol error). */
  #failure: { code: number; reason: string } | undefined;
  /** Registered on the socket the first time a write leaves it above the low-water mark. */
  #drainListener: (() => void) | undefined;
  #frameHandler: ((text: string) => void) | undefined;
  #early: string[] | undefined;
  #closeHandler: ((info: TransportCloseInfo) => void) | undefined;
  #closeInfo: TransportCloseInfo | undefined;
  #drainHandler: (() => void) | undefined;
  /** Settled when the connection has ended; made only for whoever waits (shutdown). */
  #ended: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(ws: TransportSocket, socket: Duplex, forwarded: boolean, server: ServerShared) {
    this.#ws = ws;
    this.#socket = socket;
    this.#bits = forwarded ? FORWARDED : 0;
    this.#server = server;
    // Read now, while connected: the socket keeps the address for the `peer` read later.
    void (socket as IncomingMessage["socket"]).remoteAddress;
    server.open.add(this);
    ws.transport = this;
    ws.on("message", onSocketMessage);
    // ws fails the connection itself after such an error; remember the code it sent the peer.
    ws.on("error", onSocketError);
    ws.on("close", onSocketClose);
  }

  get kind(): "websocket" {
    return "websocket";
  }

  /** Worked out when asked (once or twice a session) rather than held by every connection. */
  get peer(): TransportPeer {
    const forwarded = (this.#bits & FORWARDED) !== 0;
    return peerOf(this.#socket, forwarded, this.#server.options.trustedProxyTls === true);
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** onDrain fires once bufferedBytes is back at or under this. */
  get #lowWater(): number {
    return Math.max(this.#server.options.lowWaterMark ?? 0, this.#socket.writableHighWaterMark);
  }

  get closed(): boolean {
    return this.#localClose !== undefined || this.#ws.readyState !== WebSocket.OPEN;
  }

  send(frames: string | readonly string[]): void {
    if (this.closed) return;
    const buffers = encodeTextFrames(typeof frames === "string" ? [frames] : frames);
    if (buffers.length === 1) {
      this.#socket.write(buffers[0] as Buffer);
    } else {
      this.#socket.cork();
      for (const b of buffers) this.#socket.write(b);
      this.#socket.uncork();
    }
    if (this.#ws.bufferedAmount > this.#lowWater) {
      this.#bits |= ABOVE_LOW_WATER;
      if (this.#drainListener === undefined) {
        this.#drainListener = () => this.#onSocketDrain();
        this.#socket.on("drain", this.#drainListener);
      }
    }
  }

  onFrame(handler: (text: string) => void): void {
    this.#frameHandler = handler;
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) for (const text of early) handler(text);
  }

  onClose(handler: (info: TransportCloseInfo) => void): void {
    this.#closeHandler = handler;
    const info = this.#closeInfo;
    if (info !== undefined) queueMicrotask(() => handler(info));
  }

  onDrain(handler: () => void): void {
    this.#drainHandler = handler;
  }

  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.#localClose = { code: safeCloseCode(code), reason: safeCloseReason(reason) };
    this.#ws.close(this.#localClose.code, this.#localClose.reason);
  }

  /** Close with 1001 and terminate the socket if the peer has not finished within graceMs. */
  async shutdown(graceMs: number): Promise<void> {
    this.close(SHUTDOWN_CODE, "server shutting down");
    if (this.#closeInfo !== undefined) return;
    const timer = setTimeout(() => this.#ws.terminate(), graceMs);
    if (this.#ended === undefined) {
      let resolve = (): void => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#ended = { promise, resolve };
    }
    await this.#ended.promise;
    clearTimeout(timer);
  }

  /** A message from ws (its "message" event). */
  receive(data: RawData, isBinary: boolean): void {
    // After our close() the session is done; what the peer sent meanwhile has no reader.
    if (this.#localClose !== undefined) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (isBinary) {
      this.#server.options.onBinaryFrame?.(bytes.length, this);
      return;
    }
    const text = bytes.toString("utf8");
    if (this.#frameHandler !== undefined) {
      this.#frameHandler(text);
    } else {
      this.#early ??= [];
      this.#early.push(text);
    }
  }

  /** ws failed the connection (its "error" event); it sends the peer a close code of its own. */
  failed(error: Error): void {
    this.#failure ??= { code: failureCloseCode(error), reason: error.message };
  }

  #onSocketDrain(): void {
    if ((this.#bits & ABOVE_LOW_WATER) === 0 || this.#ws.bufferedAmount > this.#lowWater) return;
    this.#bits &= ~ABOVE_LOW_WATER;
    this.#drainHandler?.();
  }

  /** The connection is over (ws's "close" event). */
  finish(code: number, reason: string): void {
    if (this.#closeInfo !== undefined) return;
    const local = this.#localClose;
    const failure = this.#failure;
    const info: TransportCloseInfo =
      local !== undefined
        ? { local: true, code: local.code, reason: local.reason }
        : failure !== undefined
          ? { local: false, code: failure.code, reason: failure.reason }
          : { local: false, code, reason };
    this.#closeInfo = info;
    this.#server.open.delete(this);
    this.#closeHandler?.(info);
    this.#ended?.resolve();
  }
}

function refuseUpgrade(socket: Duplex, status: number): void {
  socket.on("error", () => {});
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q === -1 ? u : u.slice(0, q);
}

/**
 * Serve ARCP over WebSocket (§4) on an existing HTTP(S) server's `upgrade` event. Only the
 * configured path is ours; another path is answered 404 unless some other `upgrade` listener
 * is registered on the server, in which case it is left for that listener.
 */
export function attachWebSocketServer(
  httpServer: HttpServer | HttpsServer,
  options: WebSocketServerOptions,
): WebSocketServerHandle {
  const path = options.path ?? DEFAULT_WS_PATH;
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    WebSocket: TransportSocket,
    maxPayload: options.maxPayload ?? DEFAULT_WS_MAX_PAYLOAD,
  });
  const open = new Set<WebSocketTransport>();
  const shared: ServerShared = { options, open };
  const guard = options.browserGuard ?? createBrowserGuard({});
  let closing: Promise<void> | undefined;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request.url) !== path) {
      if (httpServer.listenerCount("upgrade") <= 1) refuseUpgrade(socket, 404);
      return;
    }
    let refusal: number | undefined;
    try {
      refusal =
        guard.checkUpgrade(request.headers) === undefined ? options.verifyUpgrade?.(request) : 403;
    } catch {
      refusal = 500; // a throwing check must still answer the socket, and must not crash the server
    }
    if (refusal !== undefined) {
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const transport = new WebSocketTransport(
        ws as TransportSocket,
        socket,
        forwardedOf(request),
        shared,
      );
      if (closing !== undefined) {
        ws.terminate();
        return;
      }
      options.onConnection(transport, request);
    });
  };
  httpServer.on("upgrade", onUpgrade);

  return {
    get connections() {
      return open.size;
    },
    close(graceMs = 1000) {
      closing ??= (async () => {
        httpServer.off("upgrade", onUpgrade);
        await Promise.all([...open].map((t) => t.shutdown(graceMs)));
        wss.close();
      })();
      return closing;
    },
  };
}
