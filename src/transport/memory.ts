/** In-process transport pair (§4): a server Transport and a client handle joined by queues. */
import type { Transport, TransportCloseInfo, TransportPeer } from "./transport.js";

export interface MemoryTransportOptions {
  /** onDrain fires once the client has consumed the server's backlog down to this; default 16 KiB. */
  lowWaterMark?: number;
  /** How deliveries are deferred: "microtask" (default, fastest) or "immediate" (yields to I/O). */
  schedule?: "microtask" | "immediate";
}

/** The client end of a memory pair. */
export interface MemoryPeer {
  /** Send frames to the server, in order; a no-op once either side has closed. */
  send(frames: string | readonly string[]): void;
  /** Receive server frames, in order. Frames wait in the queue until a handler is set. */
  onFrame(handler: (text: string) => void): void;
  /** Called once when the link closes; `local` is from the client's point of view. */
  onClose(handler: (info: TransportCloseInfo) => void): void;
  /** Stop consuming: server frames pile up and count in the server's bufferedBytes. */
  pause(): void;
  /** Consume again, starting with what piled up. */
  resume(): void;
  close(code?: number, reason?: string): void;
  readonly closed: boolean;
}

export interface MemoryTransportPair {
  server: Transport;
  client: MemoryPeer;
}

const DEFAULT_LOW_WATER = 16 * 1024;

/** One direction of the link: frames queued for a consumer, delivered asynchronously in order. */
class Lane {
  #queue: string[] = [];
  #head = 0;
  bytes = 0;
  paused = false;
  handler: ((text: string) => void) | undefined;
  #scheduled = false;
  /** The close this lane delivers after its last frame; set once. */
  endInfo: TransportCloseInfo | undefined;
  #endDelivered = false;

  readonly #defer: (fn: () => void) => void;
  readonly #onConsumed: () => void;
  readonly #onEnd: (info: TransportCloseInfo) => void;

  constructor(
    defer: (fn: () => void) => void,
    onConsumed: () => void,
    onEnd: (info: TransportCloseInfo) => void,
  ) {
    this.#defer = defer;
    this.#onConsumed = onConsumed;
    this.#onEnd = onEnd;
  }

  push(frames: readonly string[]): void {
    for (const f of frames) {
      this.#queue.push(f);
      this.bytes += Buffer.byteLength(f);
    }
    this.schedule();
  }

  /** Drop what was not consumed (the consumer has gone). */
  discard(): void {
    this.#queue = [];
    this.#head = 0;
    this.bytes = 0;
  }

  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    let delivered = false;
    while (this.#head < this.#queue.length && !this.paused && this.handler !== undefined) {
      const text = this.#queue[this.#head++] as string;
      this.bytes -= Buffer.byteLength(text);
      delivered = true;
      this.handler(text);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    if (delivered) this.#onConsumed();
    if (this.#head === this.#queue.length && this.endInfo !== undefined && !this.#endDelivered) {
      this.#endDelivered = true;
      this.#onEnd(this.endInfo);
    }
  }
}

/** Calls one close handler exactly once, whenever it and the close info are both known. */
class CloseNotice {
  #handler: ((info: TransportCloseInfo) => void) | undefined;
  info: TransportCloseInfo | undefined;
  fire(info: TransportCloseInfo): void {
    if (this.info !== undefined) return;
    this.info = info;
    this.#handler?.(info);
  }
  set(handler: (info: TransportCloseInfo) => void): void {
    this.#handler = handler;
    const info = this.info;
    if (info !== undefined) queueMicrotask(() => handler(info));
  }
}

function closeInfo(local: boolean, code?: number, reason?: string): TransportCloseInfo {
  const info: TransportCloseInfo = { local };
  if (code !== undefined) info.code = code;
  if (reason !== undefined) info.reason = reason;
  return info;
}

function asArray(frames: string | readonly string[]): readonly string[] {
  return typeof frames === "string" ? [frames] : frames;
}

/**
 * Make a connected in-process pair: the server side implements the transport port, the client
 * side is a test or embedding handle. Delivery is asynchronous and ordered, like a real link;
 * both ends count as loopback and confidential.
 */
export function createMemoryTransportPair(
  options: MemoryTransportOptions = {},
): MemoryTransportPair {
  const defer =
    options.schedule === "immediate" ? (fn: () => void) => void setImmediate(fn) : queueMicrotask;
  const lowWater = options.lowWaterMark ?? DEFAULT_LOW_WATER;
  const serverClose = new CloseNotice();
  const clientClose = new CloseNotice();
  let aboveLowWater = false;
  let drainHandler: (() => void) | undefined;
  // Each side counts as closed once it closed or has seen the other side's close arrive.
  let serverClosed = false;
  let clientClosed = false;

  const toClient = new Lane(
    defer,
    () => {
      if (aboveLowWater && toClient.bytes <= lowWater) {
        aboveLowWater = false;
        drainHandler?.();
      }
    },
    (info) => {
      clientClosed = true;
      clientClose.fire(info);
    },
  );
  const toServer = new Lane(
    defer,
    () => {},
    (info) => {
      serverClosed = true;
      serverClose.fire(info);
    },
  );

  const peer: TransportPeer = { loopback: true, confidential: true };
  const server: Transport = {
    kind: "memory",
    peer,
    get bufferedBytes() {
      return toClient.bytes;
    },
    get closed() {
      return serverClosed;
    },
    send(frames) {
      if (serverClosed || clientClosed) return;
      toClient.push(asArray(frames));
      if (toClient.bytes > lowWater) aboveLowWater = true;
    },
    onFrame(handler) {
      toServer.handler = handler;
      toServer.schedule();
    },
    onClose: (handler) => serverClose.set(handler),
    onDrain(handler) {
      drainHandler = handler;
    },
    close(code, reason) {
      if (serverClosed) return;
      serverClosed = true;
      // The client reads what was already sent, then sees the close; the server is done now.
      toClient.endInfo = closeInfo(false, code, reason);
      toClient.schedule();
      toServer.discard();
      defer(() => serverClose.fire(closeInfo(true, code, reason)));
    },
  };

  const client: MemoryPeer = {
    get closed() {
      return clientClosed;
    },
    send(frames) {
      if (clientClosed || serverClosed) return;
      toServer.push(asArray(frames));
    },
    onFrame(handler) {
      toClient.handler = handler;
      toClient.schedule();
    },
    onClose: (handler) => clientClose.set(handler),
    pause() {
      toClient.paused = true;
    },
    resume() {
      toClient.paused = false;
      toClient.schedule();
    },
    close(code, reason) {
      if (clientClosed) return;
      clientClosed = true;
      toServer.endInfo = closeInfo(false, code, reason);
      toServer.schedule();
      toClient.discard();
      defer(() => clientClose.fire(closeInfo(true, code, reason)));
    },
  };
  return { server, client };
}
