/**
 * Streamed results (§8.4): each write becomes a `result_chunk` event; `end` sends the last
 * chunk (`more: false`). Caps (§14): a chunk over the chunk limit or a total over the result
 * limit ends the job with INTERNAL_ERROR. A session that did not negotiate `result_chunk`
 * gets the assembled result inline instead.
 */
import { ArcpError } from "../protocol/errors.js";
import { newResultId } from "../protocol/ids.js";
import type { ResultWriter, StreamedResult } from "./agent.js";

export interface ResultStreamHost {
  readonly streamingAllowed: boolean;
  readonly maxChunkBytes: number;
  readonly maxResultBytes: number;
  /** `checked`: the body was built here, so it skips validation. */
  emit(kind: "result_chunk", body: unknown, checked: true): Promise<void>;
  /** End the job now with this error. */
  fail(error: ArcpError): void;
}

/** The marker `run` returns; `inline` is set when the result was assembled instead. */
export class StreamedResultMarker implements StreamedResult {
  readonly streamed = true as const;
  constructor(
    readonly resultId: string,
    readonly size: number,
    readonly summary: string | undefined,
    readonly inline: string | undefined,
  ) {}
}

function toChunk(data: string | Uint8Array): {
  data: string;
  encoding: "utf8" | "base64";
  bytes: number;
} {
  if (typeof data === "string") return { data, encoding: "utf8", bytes: Buffer.byteLength(data) };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { data: buf.toString("base64"), encoding: "base64", bytes: buf.byteLength };
}

export function createResultWriter(host: ResultStreamHost): ResultWriter {
  const resultId = newResultId();
  let chunkSeq = 0;
  let total = 0;
  let ended = false;
  let marker: StreamedResultMarker | undefined;
  const assembled: Buffer[] = [];
  let binary = false;

  const send = async (data: string | Uint8Array, more: boolean): Promise<void> => {
    if (ended) throw new ArcpError("INVALID_REQUEST", "result stream already ended");
    const chunk = toChunk(data);
    if (chunk.bytes > host.maxChunkBytes) {
      return fail(
        `result chunk of ${chunk.bytes} bytes exceeds the ${host.maxChunkBytes}-byte chunk limit`,
      );
    }
    total += chunk.bytes;
    if (total > host.maxResultBytes) {
      return fail(`streamed result exceeds the ${host.maxResultBytes}-byte total limit`);
    }
    if (!more) ended = true;
    if (!host.streamingAllowed) {
      if (chunk.encoding === "base64") binary = true;
      assembled.push(typeof data === "string" ? Buffer.from(data) : Buffer.from(data));
      return;
    }
    const body = {
      result_id: resultId,
      chunk_seq: chunkSeq++,
      data: chunk.data,
      encoding: chunk.encoding,
      more,
    };
    await host.emit("result_chunk", body, true);
  };

  const fail = (message: string): Promise<void> => {
    ended = true;
    const error = new ArcpError("INTERNAL_ERROR", message);
    host.fail(error);
    return Promise.reject(error);
  };

  return {
    write: (data) => send(data, true),
    async end(options = {}) {
      if (marker !== undefined) return marker;
      await send(options.data ?? "", false);
      let inline: string | undefined;
      if (!host.streamingAllowed) {
        const all = Buffer.concat(assembled);
        inline = binary ? all.toString("base64") : all.toString("utf8");
      }
      marker = new StreamedResultMarker(resultId, total, options.summary, inline);
      return marker;
    },
  };
}

/** Finish a stream the agent left open (it returned without calling end). */
export async function closeIfOpen(
  writer: ResultWriter | undefined,
): Promise<StreamedResult | undefined> {
  return writer === undefined ? undefined : writer.end();
}
