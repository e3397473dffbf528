/** `stream-report`: streams its result as `chunks` result_chunk events of `chunk_bytes` bytes each (§8.4). */
import { defineAgent } from "../agent.js";

export const streamReportAgent = defineAgent<{ chunks?: number; chunk_bytes?: number } | null>({
  name: "stream-report",
  version: "1.0.0",
  description: "Streams a text report as result_chunk events.",
  async run(input, ctx) {
    const chunks = Math.max(1, Math.floor(input?.chunks ?? 5));
    const chunkBytes = Math.max(1, Math.floor(input?.chunk_bytes ?? 64));
    const stream = ctx.result.stream();
    for (let i = 0; i < chunks - 1; i++) {
      if (ctx.signal.aborted) break;
      await stream.write(reportLine(i, chunkBytes));
    }
    return stream.end({
      data: reportLine(chunks - 1, chunkBytes),
      summary: `report in ${chunks} chunks`,
    });
  },
});

/** A chunk of exactly `bytes` ASCII bytes, numbered so reassembly errors show. */
function reportLine(index: number, bytes: number): string {
  const head = `[${index}]`;
  return (head + "x".repeat(Math.max(0, bytes - head.length))).slice(0, bytes);
}
