/** The stdio transport: NDJSON framing, overlong lines, back-pressure, EOF, and a real child process. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough, Writable } from "node:stream";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createStdioTransport, type StdioTransportOptions } from "../../../src/transport/stdio.js";
import type { Transport, TransportCloseInfo } from "../../../src/transport/transport.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A server over a PassThrough input; `log` records frames and oversize reports in order. */
function harness(options: StdioTransportOptions = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const log: string[] = [];
  const server = createStdioTransport(input, output, {
    ...options,
    onOversize: ({ limit }) => log.push(`oversize>${limit}`),
  });
  server.onFrame((t) => log.push(t));
  return { input, output, server, log };
}

/** Write the chunks one at a time, each in its own turn of the event loop. */
async function feed(input: PassThrough, chunks: (string | Buffer)[]): Promise<void> {
  for (const c of chunks) {
    input.write(c);
    await tick();
  }
}

/** An output that holds every write until release() — a reader that has stopped reading. */
class StalledOutput extends Writable {
  #held: (() => void)[] = [];
  constructor() {
    super({ highWaterMark: 16, decodeStrings: false });
  }
  override _write(_chunk: string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#held.push(() => cb());
  }
  release(): void {
    const held = this.#held;
    this.#held = [];
    for (const cb of held) cb();
  }
}

function closeOf(server: Transport): Promise<TransportCloseInfo> {
  return new Promise((resolve) => server.onClose(resolve));
}

describe("stdio transport: reading NDJSON", () => {
  test("an overlong line is reported, dropped without buffering it whole, and the next line still arrives", async () => {
    const { input, log } = harness({ maxLineBytes: 100 });
    const long = `{"pad":"${"x".repeat(400)}"}`;
    const pieces = long.match(/.{1,30}/g) ?? [];
    await feed(input, ['{"n":1}\n', ...pieces, '\n{"n":2}\n']);
    assert.deepEqual(log, ['{"n":1}', "oversize>100", '{"n":2}']);
  });

  test("an overlong line inside one chunk is reported once, in order", async () => {
    const { input, log } = harness({ maxLineBytes: 10 });
    await feed(input, ["a\n0123456789A\nb\n0123456789\n"]);
    assert.deepEqual(log, ["a", "oversize>10", "b", "0123456789"]);
  });

  test("CRLF line endings lose their \\r, also when \\r and \\n arrive in different chunks", async () => {
    const { input, log } = harness();
    await feed(input, ['{"a":1}\r\n{"b":2}\r', '\n{"c":3}\r\n']);
    assert.deepEqual(log, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test("blank and whitespace-only lines are skipped", async () => {
    const { input, log } = harness();
    await feed(input, ["\n\n   \n\r\n\t\n", '{"x":1}\n', "\n"]);
    assert.deepEqual(log, ['{"x":1}']);
  });

  test("a multi-byte character split across chunks arrives intact", async () => {
    const bytes = Buffer.from('{"t":"日本🎉"}\n');
    const { input, log } = harness();
    await feed(input, [bytes.subarray(0, 8), bytes.subarray(8, 13), bytes.subarray(13)]);
    assert.deepEqual(log, ['{"t":"日本🎉"}']);
  });

  test("EOF delivers an unterminated last line, then closes with local: false", async () => {
    const { input, output, server, log } = harness();
    const closed = closeOf(server);
    const ended = once(output, "end");
    output.resume();
    input.end('{"n":1}\n{"last":true}');
    assert.deepEqual(await closed, { local: false });
    await ended;
    assert.deepEqual(log, ['{"n":1}', '{"last":true}']);
    assert.equal(server.closed, true);
  });

  test("lines read before onFrame is set are kept for it", async () => {
    const input = new PassThrough();
    const log: string[] = [];
    const server = createStdioTransport(input, new PassThrough(), {
      maxLineBytes: 4,
      onOversize: () => log.push("oversize"),
    });
    await feed(input, ["a\n", "toolong\n", "b\n"]);
    server.onFrame((t) => log.push(t));
    assert.deepEqual(log, ["a", "oversize", "b"]);
  });
});

describe("stdio transport: writing NDJSON", () => {
  test("a batch of frames is one write, newline-terminated", () => {
    const writes: string[] = [];
    const output = new Writable({
      decodeStrings: false,
      write(chunk: string, _enc, cb) {
        writes.push(chunk);
        cb();
      },
    });
    const server = createStdioTransport(new PassThrough(), output);
    server.send(["a", "b", "c"]);
    server.send("d");
    server.send([]);
    assert.deepEqual(writes, ["a\nb\nc\n", "d\n"]);
  });

  test("a write the output cannot take keeps bufferedBytes above 0 until drain, then onDrain fires", async () => {
    const output = new StalledOutput();
    const server = createStdioTransport(new PassThrough(), output);
    let drains = 0;
    server.onDrain(() => drains++);
    server.send(["0123456789", "0123456789"]);
    server.send("x");
    assert.ok(server.bufferedBytes > 0);
    await tick();
    assert.ok(server.bufferedBytes > 0, "still held by the stalled reader");
    assert.equal(drains, 0);
    output.release();
    await tick();
    output.release();
    await tick();
    assert.equal(server.bufferedBytes, 0);
    assert.equal(drains, 1);
  });

  test("close() ends the output after what was already sent, and onClose says local: true", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const server = createStdioTransport(input, output);
    const closed = closeOf(server);
    const lines: string[] = [];
    createInterface({ input: output }).on("line", (l) => lines.push(l));
    server.send(["one", "two"]);
    server.close();
    server.send("ignored");
    assert.deepEqual(await closed, { local: true });
    await once(output, "end");
    assert.deepEqual(lines, ["one", "two"]);
  });

  test("an output error (the reader went away) closes with local: false and does not throw", async () => {
    const output = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const server = createStdioTransport(new PassThrough(), output);
    const closed = closeOf(server);
    server.send("first");
    assert.deepEqual(await closed, { local: false });
    server.send("after");
  });
});

describe("stdio transport: a real child process", () => {
  test("serves NDJSON over process.stdin/stdout and closes on EOF", {
    timeout: 30_000,
  }, async () => {
    const fixture = fileURLToPath(new URL("./fixtures/stdio-echo.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", fixture], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
    child.stdin.write('{"n":1}\r\n\n{"t":"日本"}\n');
    child.stdin.end('{"n":3}');
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      [{ echo: '{"n":1}' }, { echo: '{"t":"日本"}' }, { echo: '{"n":3}' }],
    );
    assert.match(stderr, /closed local=false/);
  });
});
