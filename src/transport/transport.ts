/**
 * The transport port (§4): the seam between the session logic and the wire. One ARCP
 * envelope per frame; frames are text. Implementations: WebSocket, stdio (NDJSON), memory.
 */

export interface TransportPeer {
  /** Whether the peer connects over loopback (or is a local child process / in-process). */
  loopback: boolean;
  /** Whether the channel is encrypted (TLS) or otherwise private (stdio, in-process). */
  confidential: boolean;
  /** Remote address for logs, when there is one. */
  address?: string;
}

export interface TransportCloseInfo {
  /** True when this side called close(); false when the peer went away or the link broke. */
  local: boolean;
  code?: number;
  reason?: string;
}

export interface Transport {
  readonly kind: "websocket" | "stdio" | "memory";
  readonly peer: TransportPeer;
  /** Bytes accepted by send() but not yet handed to the OS; drives back-pressure. */
  readonly bufferedBytes: number;
  readonly closed: boolean;
  /**
   * Send frames in order. Several frames passed together are coalesced into as few socket
   * writes as the transport allows. Sending on a closed transport is a no-op.
   */
  send(frames: string | readonly string[]): void;
  /** Called for every inbound text frame, in order. Set once. */
  onFrame(handler: (text: string) => void): void;
  /** Called once when the transport closes, for whatever reason. */
  onClose(handler: (info: TransportCloseInfo) => void): void;
  /** Called whenever bufferedBytes falls back under the transport's low-water mark. */
  onDrain(handler: () => void): void;
  /** Close gracefully, flushing what was already sent. */
  close(code?: number, reason?: string): void;
}

/** What the transport layer hands to whoever serves sessions. */
export type TransportAcceptor = (transport: Transport) => void;
