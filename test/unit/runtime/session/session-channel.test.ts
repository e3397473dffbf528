/** SessionChannel delivery (§6.3, §6.5, §8.3): the cursor from the durable log onto a transport. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { EventWriter } from "../../../../src/runtime/event-writer.js";
import {
  type ChannelLimits,
  SessionChannel,
} from "../../../../src/runtime/session/session-channel.js";
import { createMemoryStore } from "../../../../src/store/memory/memory-store.js";
import type { EventRecord, Store } from "../../../../src/store/store.js";
import type { Transport } from "../../../../src/transport/transport.js";
import { eventRecord } from "../../../contract/store/fixtures.js";

/** A transport whose OS always takes the whole write: nothing stays buffered, no drain ever fires. */
class GreedyTransport implements Transport {
  readonly kind = "memory";
  readonly peer = { loopback: true, confidential: true };
  readonly frames: string[] = [];
  bufferedBytes = 0;
  closed = false;
  drain: (() => void) | undefined;
  send(frames: string | readonly string[]): void {
    if (!this.closed) this.frames.push(...(typeof frames === "string" ? [frames] : frames));
  }
  onFrame(): void {}
  onClose(): void {}
  onDrain(handler: () => void): void {
    this.drain = handler;
  }
  close(): void {
    this.closed = true;
  }
  seqs(): number[] {
    return this.frames.map((f) => (JSON.parse(f) as { event_seq: number }).event_seq);
  }
}

/** A store whose readEvents waits until released, as a networked store may. */
function gatedReads(store: Store): { store: Store; release(): void; reads(): number } {
  let open: () => void = () => {};
  let gate = new Promise<void>((r) => {
    open = r;
  });
  let reads = 0;
  const readEvents = async (
    sessionId: string,
    afterSeq: number,
    limit: number,
  ): Promise<EventRecord[]> => {
    reads++;
    await gate;
    return store.readEvents(sessionId, afterSeq, limit);
  };
  const wrapped = new Proxy(store, {
    get: (target, prop) => {
      if (prop === "readEvents") return readEvents;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    store: wrapped,
    release: () => {
      open();
      gate = Promise.resolve();
    },
    reads: () => reads,
  };
}

const LIMITS: ChannelLimits = {
  socketHighWaterBytes: 4096,
  maxQueueBytes: 1 << 20,
  replayPageSize: 64,
};

function setup(
  store: Store = createMemoryStore(),
  limits: Partial<ChannelLimits> = {},
  lastSeq = 0,
) {
  const writer = new EventWriter(store, {
    highWater: 1 << 20,
    onError: () => {},
    onRefused: () => {},
  });
  const storeErrors: unknown[] = [];
  const channel = new SessionChannel(
    {
      id: "sess_1",
      principal: "alice",
      features: new Set(),
      origin: "arcp",
      lastSeq,
      ackedSeq: 0,
    },
    {
      writer,
      store,
      limits: { ...LIMITS, ...limits },
      hooks: {
        now: () => Date.now(),
        onBacklog: () => {},
        onStoreError: (_ch, error) => storeErrors.push(error),
      },
    },
  );
  return { writer, channel, storeErrors };
}

function push(channel: SessionChannel, count: number, bytes = 100): void {
  const body = JSON.stringify({ kind: "log", body: { message: "x".repeat(bytes) } });
  for (let i = 0; i < count; i++)
    channel.pushJobFrame("job_1", undefined, "job.event", "log", 0, true, body);
}

async function settle(writer: EventWriter): Promise<void> {
  await writer.idle();
  for (let i = 0; i < 5; i++) await nextTurn();
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("SessionChannel delivery", () => {
  test("[arcp-6.5-back-pressure] a commit batch larger than the socket high-water mark arrives in full when the transport never reports a drain", async () => {
    const { writer, channel } = setup();
    const t = new GreedyTransport();
    channel.attach(t, 0);
    push(channel, 200, 1000);
    await settle(writer);
    assert.deepEqual(t.seqs(), range(1, 200));
    assert.equal(channel.deliveredSeq, 200);
    assert.equal(channel.queuedBytes, 0);
  });

  test("[arcp-6.5-back-pressure] a backlog spilled to the store is read back without a drain event", async () => {
    const { writer, channel } = setup(createMemoryStore(), { maxQueueBytes: 8192 });
    const t = new GreedyTransport();
    channel.attach(t, 0);
    push(channel, 300, 500);
    await settle(writer);
    assert.deepEqual(t.seqs(), range(1, 300));
  });

  test("[arcp-6.3-replay-after-last-seq] a resume while the previous transport's store read is in flight still replays everything on the new transport", async () => {
    const gated = gatedReads(createMemoryStore());
    const { writer, channel, storeErrors } = setup(gated.store);
    push(channel, 10);
    await settle(writer);
    const first = new GreedyTransport();
    channel.attach(first, 0);
    while (gated.reads() === 0) await nextTurn();
    channel.detach();
    const second = new GreedyTransport();
    channel.attach(second, 3);
    gated.release();
    await settle(writer);
    assert.deepEqual(first.frames, []);
    assert.deepEqual(second.seqs(), range(4, 10));
    assert.deepEqual(storeErrors, []);
  });
});

describe("SessionChannel live-only secrets", () => {
  const redacted = '{"kind":"status","body":{"phase":"credential_rotated","credential_id":"c1"}}';
  const full =
    '{"kind":"status","body":{"phase":"credential_rotated","credential_id":"c1","value":"sk-live-1"}}';
  const pushSecret = (channel: SessionChannel): number =>
    channel.pushJobFrame("job_1", undefined, "job.event", "status", 0, true, redacted, full);

  test("[arcp-9.8-rotation] [arcp-9.8-redact-non-submitter] a rotated value reaches an attached submitter exactly once while delivery reads from the store, and never rests there", async () => {
    const gated = gatedReads(createMemoryStore());
    const { writer, channel } = setup(gated.store);
    push(channel, 5);
    await settle(writer);
    const t = new GreedyTransport();
    channel.attach(t, 0);
    while (gated.reads() === 0) await nextTurn();
    const seq = pushSecret(channel);
    push(channel, 2);
    await writer.idle();
    gated.release();
    await settle(writer);
    assert.deepEqual(t.seqs(), range(1, 8));
    const delivered = t.frames.filter((f) => f.includes("sk-live-1"));
    assert.equal(delivered.length, 1);
    assert.equal((JSON.parse(delivered[0] as string) as { event_seq: number }).event_seq, seq);
    const stored = await gated.store.readEvents("sess_1", 0, 100);
    assert.equal(stored.length, 8);
    assert.ok(stored.every((e) => !e.frame.includes("sk-live-1")));
  });

  test("[arcp-9.8-redact-non-submitter] a rotated value in a spilled backlog is still sent once; after a detach it is gone and a replay carries the redacted copy", async () => {
    const store = createMemoryStore();
    const { writer, channel } = setup(store, { maxQueueBytes: 2048 });
    const t = new GreedyTransport();
    t.bufferedBytes = 1 << 20;
    channel.attach(t, 0);
    push(channel, 1);
    pushSecret(channel);
    push(channel, 40, 200);
    await settle(writer);
    assert.equal(t.frames.length, 0, "a congested socket takes nothing");
    assert.ok(channel.queuedBytes < 2048, "the backlog was spilled to the store");
    t.bufferedBytes = 0;
    t.drain?.();
    await settle(writer);
    assert.deepEqual(t.seqs(), range(1, 42));
    assert.equal(t.frames.filter((f) => f.includes("sk-live-1")).length, 1);
    channel.detach();
    const again = new GreedyTransport();
    channel.attach(again, 0);
    await settle(writer);
    assert.deepEqual(again.seqs(), range(1, 42));
    assert.equal(again.frames.filter((f) => f.includes("sk-live-1")).length, 0);
    assert.equal(again.frames.filter((f) => f.includes("credential_rotated")).length, 1);
  });
});

describe("SessionChannel replay over a hole in the log", () => {
  test("[arcp-6.3-replay-after-last-seq] a replay stops before a missing seq instead of skipping it", async () => {
    const store = createMemoryStore();
    // Seq 3 was refused by the store: the log holds 1, 2, 4, 5.
    await store.appendEvents([1, 2, 4, 5].map((seq) => eventRecord("sess_1", seq)));
    const { channel, storeErrors } = setup(store, {}, 5);
    const t = new GreedyTransport();
    channel.attach(t, 0);
    for (let i = 0; i < 20 && storeErrors.length === 0; i++) await nextTurn();
    assert.deepEqual(t.seqs(), [1, 2], "nothing after the hole is sent");
    assert.equal(storeErrors.length, 1, "the hole is reported");
    assert.equal(channel.deliveredSeq, 2);
  });
});
