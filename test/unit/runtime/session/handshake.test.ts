/** The handshake (§6.1, §6.3) when the client goes away while the runtime is still answering it. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { builtinAgents } from "../../../../src/agents/builtins/index.js";
import { AgentRegistry } from "../../../../src/agents/registry.js";
import type { Authenticator, Principal } from "../../../../src/auth/authenticator.js";
import { Runtime } from "../../../../src/runtime/runtime.js";
import { createMemoryStore } from "../../../../src/store/memory/memory-store.js";
import type { Store } from "../../../../src/store/store.js";
import { createMemoryTransportPair } from "../../../../src/transport/memory.js";
import { TestClient } from "../../../support/arcp-test-client.js";

/** An authenticator that answers only when told to, like a JWT check fetching its JWKS. */
class HeldAuthenticator implements Authenticator {
  readonly kind = "jwt";
  held = true;
  #waiting: (() => void)[] = [];
  async authenticate(): Promise<Principal> {
    if (this.held) await new Promise<void>((r) => this.#waiting.push(r));
    return { id: "alice" };
  }
  get waiting(): number {
    return this.#waiting.length;
  }
  releaseAll(): void {
    for (const r of this.#waiting.splice(0)) r();
  }
}

async function startRuntime(auth: Authenticator, store: Store = createMemoryStore()) {
  const agents = new AgentRegistry();
  for (const def of builtinAgents()) agents.register(def);
  const rt = new Runtime({
    store,
    authenticator: auth,
    agents,
    config: { maxSessionsPerPrincipal: 1 },
  });
  await rt.start();
  const connect = () => {
    const { server, client: peer } = createMemoryTransportPair();
    const client = new TestClient((text) => peer.send(text));
    peer.onFrame((text) => client.receive(text));
    rt.accept(server);
    return { client, peer };
  };
  return { rt, store, connect };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await nextTurn();
  assert.ok(check(), "condition reached");
}

const hello = (client: TestClient, resume?: Record<string, unknown>): void => {
  client.send("session.hello", {
    client: { name: "t", version: "1" },
    auth: { scheme: "bearer", token: "t" },
    capabilities: { features: [] },
    ...(resume === undefined ? {} : { resume }),
  });
};

describe("handshake against a closing transport", () => {
  test("[arcp-14-session-limits] a client gone while its hello was authenticated holds no session slot and leaves no session", async () => {
    const auth = new HeldAuthenticator();
    const { rt, store, connect } = await startRuntime(auth);
    const gone = connect();
    hello(gone.client);
    await until(() => auth.waiting === 1);
    gone.peer.close(1000, "bye");
    await until(() => rt.connections.size === 0);
    auth.releaseAll();
    auth.held = false;
    await until(() => rt.channels.size === 0 && auth.waiting === 0);
    for (let i = 0; i < 10; i++) await nextTurn();
    assert.equal(rt.connectionsOf("alice"), 0);
    assert.deepEqual(await store.listDetachedSessions(Number.MAX_SAFE_INTEGER, 10), []);
    const fresh = connect();
    await fresh.client.hello({ token: "t" });
    assert.equal(rt.connectionsOf("alice"), 1);
    await rt.shutdown();
  });

  test("[arcp-6.3-token-rotates] a client gone while its resume was being answered keeps the session and its old token", async () => {
    const auth = new HeldAuthenticator();
    auth.held = false;
    const memory = createMemoryStore();
    let holdRotation = false;
    let rotations = 0;
    const store = new Proxy(memory, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== "function") return value;
        if (prop !== "rotateResumeToken") return value.bind(target);
        return async (...args: [string, string, string]) => {
          rotations++;
          if (holdRotation) await new Promise((r) => setTimeout(r, 20));
          return target.rotateResumeToken(...args);
        };
      },
    });
    const { rt, connect } = await startRuntime(auth, store);
    const first = connect();
    await first.client.hello({ token: "t" });
    const session = {
      session_id: first.client.sessionId as string,
      resume_token: first.client.resumeToken as string,
    };
    first.peer.close(1000, "dropped");
    await until(() => rt.connectionsOf("alice") === 0);
    holdRotation = true;
    const gone = connect();
    hello(gone.client, { ...session, last_event_seq: 0 });
    await until(() => rotations === 1);
    gone.peer.close(1000, "bye");
    await new Promise((r) => setTimeout(r, 60));
    holdRotation = false;
    assert.equal(rt.connectionsOf("alice"), 0, "the closed connection was never bound");
    assert.notEqual((await memory.getSession(session.session_id))?.detachedAt, null);
    const back = connect();
    await back.client.hello({ token: "t", resume: { ...session, last_event_seq: 0 } });
    assert.equal(back.client.sessionId, session.session_id);
    assert.equal(rt.connectionsOf("alice"), 1);
    await rt.shutdown();
  });
});
