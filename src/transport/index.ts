/** The transport layer (§4): the port and its WebSocket, stdio and in-process adapters. */

export {
  type BrowserGuard,
  type BrowserGuardOptions,
  createBrowserGuard,
  isLoopbackName,
  normalizeOrigin,
} from "./browser-guard.js";
export {
  createMemoryTransportPair,
  type MemoryPeer,
  type MemoryTransportOptions,
  type MemoryTransportPair,
} from "./memory.js";
export {
  createStdioTransport,
  DEFAULT_STDIO_MAX_LINE_BYTES,
  type StdioTransportOptions,
} from "./stdio.js";
export type {
  Transport,
  TransportAcceptor,
  TransportCloseInfo,
  TransportPeer,
} from "./transport.js";
export {
  attachWebSocketServer,
  DEFAULT_WS_MAX_PAYLOAD,
  DEFAULT_WS_PATH,
  isLoopbackAddress,
  type WebSocketServerHandle,
  type WebSocketServerOptions,
} from "./websocket.js";
