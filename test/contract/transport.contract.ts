/** The transport port's contract (§4): every adapter runs these cases against a live client. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Transport, TransportCloseInfo } from "../../src/transport/transport.js";

/** The far end of the link, driven by the test; deliberately not built on the adapter under test. */
export interface ContractClient {
  send(text: string): void;
  /** Every text frame from the server, in arrival order. Set once, before the test sends. */
  onFrame(handler: (text: string) => void): void;
  /** Stop reading, so the server's output backs up; resume() reads again. */
  pause(): void;
  resume(): void;
  close(): void;
  /** Settles once the client has seen the link close. */
  readonly closed: Promise<void>;
}

export interface ContractPair {
  server: Transport;
  client: ContractClient;
  /** Release sockets, processes and servers. */
  dispose(): Promise<void>;
}

/** Collects frames and hands them out in order, count at a time. */
export class Inbox {
  readonly #frames: string[] = [];
  #waiter: { count: number; resolve: () => void } | undefined;

  readonly push = (text: string): void => {
    this.#frames.push(text);
    if (this.#waiter !== undefined && this.#frames.length >= this.#waiter.count) {
      this.#waiter.resolve();
      this.#waiter = undefined;
    }
  };

  get size(): number {
    return this.#frames.length;
  }

  async take(count: number): Promise<string[]> {
    if (this.#frames.length < count) {
      await new Promise<void>((resolve) => {
        this.#waiter = { count, resolve };
      });
    }
    return this.#frames.splice(0, count);
  }
}

/** Records onClose calls; `first` settles on the first. */
function watchClose(server: Transport): { calls: TransportCloseInfo[]; first: Promise<void> } {
  const calls: TransportCloseInfo[] = [];
  const first = new Promise<void>((resolve) => {
    server.onClose((info) => {
      calls.push(info);
      resolve();
    });
  });
  return { calls, first };
}

/** Let pending I/O and callbacks run, so a second onClose would have had its chance. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 20));
}

const numbered = (count: number, tag: string): string[] =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ tag, n: i }));

const UTF8_SAMPLE = JSON.stringify({
  text: "héllo wörld — 日本語 🎉 Ωμέγα",
  more: "€".repeat(5000),
});

function megabyteFrame(): string {
  const tail = "ü日🎉";
  const body = "x".repeat(1024 * 1024 - 32 - Buffer.byteLength(tail));
  return JSON.stringify({ big: body + tail });
}

type MakePair = () => Promise<ContractPair>;

async function withPair(makePair: MakePair, body: (pair: ContractPair) => Promise<void>) {
  const pair = await makePair();
  try {
    await body(pair);
  } finally {
    await pair.dispose();
  }
}

/** Run the transport contract for one adapter; `makePair` yields a connected server + client. */
export function runTransportContract(name: string, makePair: MakePair): void {
  const opts = { timeout: 30_000 };
  describe(`transport contract: ${name}`, () => {
    test("delivers 10,000 server frames to the client in order", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const inbox = new Inbox();
        client.onFrame(inbox.push);
        const frames = numbered(10_000, "s");
        for (const f of frames) server.send(f);
        assert.deepEqual(await inbox.take(frames.length), frames);
      }),
    );

    test("delivers 10,000 client frames to the server in order", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const inbox = new Inbox();
        server.onFrame(inbox.push);
        const frames = numbered(10_000, "c");
        for (const f of frames) client.send(f);
        assert.deepEqual(await inbox.take(frames.length), frames);
      }),
    );

    test("round-trips multi-byte UTF-8 both ways", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const atServer = new Inbox();
        const atClient = new Inbox();
        server.onFrame(atServer.push);
        client.onFrame(atClient.push);
        client.send(UTF8_SAMPLE);
        assert.deepEqual(await atServer.take(1), [UTF8_SAMPLE]);
        server.send(UTF8_SAMPLE);
        assert.deepEqual(await atClient.take(1), [UTF8_SAMPLE]);
      }),
    );

    test("round-trips a 1 MiB frame both ways", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const big = megabyteFrame();
        const atServer = new Inbox();
        const atClient = new Inbox();
        server.onFrame(atServer.push);
        client.onFrame(atClient.push);
        client.send(big);
        const [received] = await atServer.take(1);
        assert.equal(received, big);
        server.send([big, "after"]);
        assert.deepEqual(await atClient.take(2), [big, "after"]);
      }),
    );

    test("a coalesced send of an array arrives as separate frames in order", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const inbox = new Inbox();
        client.onFrame(inbox.push);
        const first = numbered(500, "batch-a");
        const second = numbered(3, "batch-b");
        server.send(first);
        server.send("single");
        server.send(second);
        server.send([]);
        assert.deepEqual(await inbox.take(504), [...first, "single", ...second]);
      }),
    );

    test("bufferedBytes is back to 0 once the client has read everything", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const inbox = new Inbox();
        client.onFrame(inbox.push);
        server.send(numbered(2000, "b"));
        await inbox.take(2000);
        assert.equal(server.bufferedBytes, 0);
      }),
    );

    test(
      "bufferedBytes grows while the client does not read; onDrain fires when it reads again",
      opts,
      () =>
        withPair(makePair, async ({ server, client }) => {
          const inbox = new Inbox();
          client.onFrame(inbox.push);
          let drains = 0;
          const drained = new Promise<void>((resolve) => {
            server.onDrain(() => {
              drains++;
              resolve();
            });
          });
          client.pause();
          const chunk = JSON.stringify({ pad: "p".repeat(64 * 1024) });
          let sent = 0;
          while (server.bufferedBytes <= 1024 * 1024 && sent < 4000) {
            server.send(chunk);
            sent++;
            // The memory link counts bytes as soon as they are queued; real links need the loop to
            // yield now and then only if the OS keeps absorbing everything synchronously.
            if (sent % 200 === 0) await new Promise((r) => setImmediate(r));
          }
          assert.ok(
            server.bufferedBytes > 1024 * 1024,
            `buffered ${server.bufferedBytes} after ${sent} frames`,
          );
          assert.equal(drains, 0);
          client.resume();
          await drained;
          const received = await inbox.take(sent);
          assert.equal(received.length, sent);
          assert.ok(received.every((f) => f === chunk));
        }),
    );

    test(
      "server close(): the client sees the close and onClose fires once with local: true",
      opts,
      () =>
        withPair(makePair, async ({ server, client }) => {
          const inbox = new Inbox();
          client.onFrame(inbox.push);
          const close = watchClose(server);
          const frames = numbered(100, "before-close");
          server.send(frames);
          server.close();
          assert.equal(server.closed, true);
          await client.closed;
          await close.first;
          await settle();
          assert.equal(close.calls.length, 1);
          assert.equal(close.calls[0]?.local, true);
          assert.deepEqual(
            await inbox.take(frames.length),
            frames,
            "frames sent before close are flushed",
          );
        }),
    );

    test("client close: onClose fires once with local: false", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const inbox = new Inbox();
        server.onFrame(inbox.push);
        const close = watchClose(server);
        client.send("last words");
        client.close();
        await close.first;
        await settle();
        assert.equal(close.calls.length, 1);
        assert.equal(close.calls[0]?.local, false);
        assert.equal(server.closed, true);
        assert.deepEqual(await inbox.take(1), ["last words"]);
      }),
    );

    test("send after close is a no-op, never a throw", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const close = watchClose(server);
        server.close();
        server.send("late");
        server.send(["late", "later"]);
        server.close();
        await close.first;
        server.send("after onClose");
        await client.closed;
        assert.equal(close.calls.length, 1);
      }),
    );

    test("send after the client went away is a no-op, never a throw", opts, () =>
      withPair(makePair, async ({ server, client }) => {
        const close = watchClose(server);
        client.close();
        await close.first;
        server.send("late");
        server.send(["late", "later"]);
        server.close();
        await settle();
        assert.equal(close.calls.length, 1);
      }),
    );
  });
}
