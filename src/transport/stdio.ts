/** stdio transport (§4): NDJSON, one ARCP envelope per line, over a readable and a writable. */
import type { Readable, Writable } from "node:stream";
import type { Transport, TransportCloseInfo, TransportPeer } from "./transport.js";

/** Longest accepted input line in bytes, not counting its newline. */
export const DEFAULT_STDIO_MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;
const OVERSIZE: unique symbol = Symbol("oversize");

export interface StdioTransportOptions {
  /** Lines longer than this are dropped and reported, never buffered whole; default 16 MiB. */
  maxLineBytes?: number;
  /** Told once per overlong line, as soon as it crosses the limit, in order with the frames. */
  onOversize?: (info: { limit: number }) => void;
  /** onDrain fires once bufferedBytes is back at or under this; never below the output's own. */
  lowWaterMark?: number;
  /** End the output when the transport closes; default true. */
  endOutputOnClose?: boolean;
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  // Only a line that starts with whitespace can be all whitespace; avoid trim() on every frame.
  return text.charCodeAt(0) <= 0x20 && text.trim().length === 0;
}

/** Splits a byte stream into lines without ever holding more than `max` bytes of one line. */
export class NdjsonLineSplitter {
  readonly #max: number;
  readonly #onLine: (text: string) => void;
  readonly #onOversize: () => void;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #discarding = false;

  constructor(max: number, onLine: (text: string) => void, onOversize: () => void) {
    this.#max = max;
    this.#onLine = onLine;
    this.#onOversize = onOversize;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      this.#lineEnds(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.#keep(chunk.subarray(start));
  }

  /** End of input: an unterminated last line still counts. */
  end(): void {
    if (this.#partBytes > 0 && !this.#discarding)
      this.#emit(Buffer.concat(this.#parts).toString("utf8"));
    this.#parts = [];
    this.#partBytes = 0;
  }

  #keep(piece: Buffer): void {
    if (this.#discarding) return;
    if (this.#partBytes + piece.length > this.#max) {
      this.#overflow(true);
      return;
    }
    this.#parts.push(piece);
    this.#partBytes += piece.length;
  }

  #lineEnds(chunk: Buffer, start: number, end: number): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#partBytes + (end - start) > this.#max) {
      this.#overflow(false);
      return;
    }
    let text: string;
    if (this.#partBytes === 0) {
      text = chunk.toString("utf8", start, end);
    } else {
      this.#parts.push(chunk.subarray(start, end));
      text = Buffer.concat(this.#parts).toString("utf8");
      this.#parts = [];
      this.#partBytes = 0;
    }
    this.#emit(text);
  }

  #emit(line: string): void {
    const text = line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
    if (!isBlank(text)) this.#onLine(text);
  }

  #overflow(lineContinues: boolean): void {
    this.#parts = [];
    this.#partBytes = 0;
    this.#discarding = lineContinues;
    this.#onOversize();
  }
}

/** The transport over one input stream and one output stream. */
class StdioTransport implements Transport {
  readonly kind = "stdio";
  readonly peer: TransportPeer = { loopback: true, confidential: true };
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #splitter: NdjsonLineSplitter;
  readonly #lowWater: number;
  readonly #endOutput: boolean;
  #closed = false;
  #aboveLowWater = false;
  readonly #reportOversize: () => void;
  #frameHandler: ((text: string) => void) | undefined;
  #early: (string | typeof OVERSIZE)[] = [];
  #closeHandler: ((info: TransportCloseInfo) => void) | undefined;
  #closeInfo: TransportCloseInfo | undefined;
  #closeNotified = false;
  #drainHandler: (() => void) | undefined;
  readonly #onData = (chunk: Buffer | string): void => {
    this.#splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  };

  constructor(input: Readable, output: Writable, options: StdioTransportOptions) {
    this.#input = input;
    this.#output = output;
    this.#lowWater = Math.max(options.lowWaterMark ?? 0, output.writableHighWaterMark);
    this.#endOutput = options.endOutputOnClose ?? true;
    const limit = options.maxLineBytes ?? DEFAULT_STDIO_MAX_LINE_BYTES;
    const onOversize = options.onOversize;
    this.#reportOversize = () => onOversize?.({ limit });
    this.#splitter = new NdjsonLineSplitter(
      limit,
      (text) => this.#deliver(text),
      () => this.#deliver(OVERSIZE),
    );
    input.on("data", this.#onData);
    input.on("end", () => {
      this.#splitter.end();
      this.#shut(false);
    });
    input.on("close", () => this.#shut(false));
    // A broken pipe or a read error ends the link; it must never crash the process.
    input.on("error", () => this.#shut(false));
    output.on("error", () => this.#shut(false));
    output.on("drain", () => this.#onOutputDrain());
  }

  get bufferedBytes(): number {
    return this.#output.writableLength;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frames: string | readonly string[]): void {
    if (this.#closed) return;
    if (typeof frames === "string") this.#output.write(`${frames}\n`);
    else if (frames.length > 0) this.#output.write(`${frames.join("\n")}\n`);
    if (this.#output.writableLength > this.#lowWater) this.#aboveLowWater = true;
  }

  onFrame(handler: (text: string) => void): void {
    this.#frameHandler = handler;
    const early = this.#early;
    this.#early = [];
    for (const item of early) this.#deliver(item);
  }

  onClose(handler: (info: TransportCloseInfo) => void): void {
    this.#closeHandler = handler;
    if (this.#closeInfo !== undefined) queueMicrotask(() => this.#notifyClose());
  }

  onDrain(handler: () => void): void {
    this.#drainHandler = handler;
  }

  close(): void {
    this.#shut(true);
  }

  #shut(local: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.off("data", this.#onData);
    this.#input.pause();
    if (this.#endOutput && !this.#output.writableEnded && !this.#output.destroyed)
      this.#output.end();
    this.#closeInfo = { local };
    queueMicrotask(() => this.#notifyClose());
  }

  #notifyClose(): void {
    const info = this.#closeInfo;
    const handler = this.#closeHandler;
    if (info === undefined || handler === undefined || this.#closeNotified) return;
    this.#closeNotified = true;
    handler(info);
  }

  /** Lines and oversize reports keep their relative order, also when read before onFrame. */
  #deliver(item: string | typeof OVERSIZE): void {
    const handler = this.#frameHandler;
    if (handler === undefined) this.#early.push(item);
    else if (item === OVERSIZE) this.#reportOversize();
    else handler(item);
  }

  #onOutputDrain(): void {
    if (!this.#aboveLowWater || this.#output.writableLength > this.#lowWater) return;
    this.#aboveLowWater = false;
    this.#drainHandler?.();
  }
}

/**
 * Serve one ARCP session over NDJSON streams (§4; requirement arcp-4-stdio-transport):
 * `\n` after each envelope, blank lines skipped, a trailing `\r` stripped, overlong lines
 * dropped and reported. EOF on input closes the transport (`local: false`). Frames must not
 * contain a raw newline, which JSON encoding guarantees.
 */
export function createStdioTransport(
  input: Readable,
  output: Writable,
  options: StdioTransportOptions = {},
): Transport {
  return new StdioTransport(input, output, options);
}
