/** The in-process transport pair: asynchronous delivery, pausing, back-pressure and close details. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMemoryTransportPair } from "../../../src/transport/memory.js";
import type { TransportCloseInfo } from "../../../src/transport/transport.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("memory transport pair", () => {
  test("is an in-process, loopback and confidential link", () => {
    const { server } = createMemoryTransportPair();
    assert.equal(server.kind, "memory");
    assert.deepEqual(server.peer, { loopback: true, confidential: true });
  });

  test("delivers asynchronously, never inside send()", async () => {
    for (const schedule of ["microtask", "immediate"] as const) {
      const { server, client } = createMemoryTransportPair({ schedule });
      const atClient: string[] = [];
      const atServer: string[] = [];
      client.onFrame((t) => atClient.push(t));
      server.onFrame((t) => atServer.push(t));
      server.send("to client");
      client.send(["to", "server"]);
      assert.deepEqual([atClient, atServer], [[], []], schedule);
      await tick();
      await tick();
      assert.deepEqual(atClient, ["to client"], schedule);
      assert.deepEqual(atServer, ["to", "server"], schedule);
    }
  });

  test("frames wait for a handler instead of being lost", async () => {
    const { server, client } = createMemoryTransportPair();
    server.send(["a", "b"]);
    await tick();
    assert.equal(server.bufferedBytes, 2);
    const got: string[] = [];
    client.onFrame((t) => got.push(t));
    await tick();
    assert.deepEqual(got, ["a", "b"]);
    assert.equal(server.bufferedBytes, 0);
  });

  test("bufferedBytes counts UTF-8 bytes not yet consumed while the client is paused", async () => {
    const { server, client } = createMemoryTransportPair();
    const got: string[] = [];
    client.onFrame((t) => got.push(t));
    client.pause();
    server.send(["é", "日本", "🎉"]);
    await tick();
    assert.equal(server.bufferedBytes, 2 + 6 + 4);
    assert.deepEqual(got, []);
    client.resume();
    await tick();
    assert.deepEqual(got, ["é", "日本", "🎉"]);
    assert.equal(server.bufferedBytes, 0);
  });

  test("onDrain fires once the backlog falls to the low-water mark, and only after it was above", async () => {
    const { server, client } = createMemoryTransportPair({ lowWaterMark: 10 });
    let drains = 0;
    server.onDrain(() => drains++);
    client.onFrame(() => {});
    server.send("under");
    await tick();
    assert.equal(drains, 0, "never above the mark, so no drain");
    client.pause();
    server.send(["0123456789", "0123456789"]);
    await tick();
    assert.equal(drains, 0);
    client.resume();
    await tick();
    assert.equal(drains, 1);
    assert.equal(server.bufferedBytes, 0);
  });

  test("a handler that pauses mid-batch stops delivery at that frame", async () => {
    const { server, client } = createMemoryTransportPair();
    const got: string[] = [];
    client.onFrame((t) => {
      got.push(t);
      if (t === "b") client.pause();
    });
    server.send(["a", "b", "c"]);
    await tick();
    assert.deepEqual(got, ["a", "b"]);
    assert.equal(server.bufferedBytes, 1);
    client.resume();
    await tick();
    assert.deepEqual(got, ["a", "b", "c"]);
  });

  test("close codes and reasons pass through in both directions", async () => {
    const a = createMemoryTransportPair();
    const atServer = new Promise<TransportCloseInfo>((r) => a.server.onClose(r));
    a.client.close(4001, "bye");
    assert.deepEqual(await atServer, { local: false, code: 4001, reason: "bye" });

    const b = createMemoryTransportPair();
    const atClient = new Promise<TransportCloseInfo>((r) => b.client.onClose(r));
    const serverSide = new Promise<TransportCloseInfo>((r) => b.server.onClose(r));
    b.server.close(4002, "done");
    assert.deepEqual(await atClient, { local: false, code: 4002, reason: "done" });
    assert.deepEqual(await serverSide, { local: true, code: 4002, reason: "done" });
  });

  test("a paused client sees the server's close only after the frames sent before it", async () => {
    const { server, client } = createMemoryTransportPair();
    const log: string[] = [];
    client.onFrame((t) => log.push(t));
    client.onClose(() => log.push("closed"));
    client.pause();
    server.send(["x", "y"]);
    server.close();
    await tick();
    assert.deepEqual(log, []);
    client.resume();
    await tick();
    assert.deepEqual(log, ["x", "y", "closed"]);
  });

  test("onClose set after the close still fires, once", async () => {
    const { server } = createMemoryTransportPair();
    server.close();
    await tick();
    const calls: TransportCloseInfo[] = [];
    server.onClose((info) => calls.push(info));
    await tick();
    await tick();
    assert.deepEqual(calls, [{ local: true }]);
  });
});
