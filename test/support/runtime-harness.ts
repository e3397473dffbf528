/**
 * An in-process runtime for tests that need control the network cannot give: a fake clock,
 * the memory store, in-memory transports, and direct access to the Runtime.
 */

import { type AgentDefinition, defineAgent } from "../../src/agents/agent.js";
import { builtinAgents } from "../../src/agents/builtins/index.js";
import { AgentRegistry } from "../../src/agents/registry.js";
import { BearerAuthenticator } from "../../src/auth/bearer.js";
import { createMockModelAdapter } from "../../src/models/mock.js";
import { ModelRouter } from "../../src/models/model-adapter.js";
import type { Clock, Timer } from "../../src/runtime/clock.js";
import type { RuntimeConfig } from "../../src/runtime/config.js";
import type { Logger } from "../../src/runtime/logger.js";
import { createOperationRunner } from "../../src/runtime/operations/operations.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { builtinTools } from "../../src/tools/builtins.js";
import { ToolRegistry } from "../../src/tools/tool.js";
import { createMemoryTransportPair, type MemoryPeer } from "../../src/transport/memory.js";
import { Workspace } from "../../src/world/workspace.js";
import { TestClient } from "./arcp-test-client.js";
import { makeTempDir, removeTempDir } from "./temp-dir.js";

/** A clock that only moves when told to; timers fire as it passes them. */
export class FakeClock implements Clock {
  #now: number;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #next = 1;

  constructor(start = Date.parse("2030-01-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer = { at: this.#now + Math.max(0, ms), fn, id: this.#next++ };
    this.#timers.push(timer);
    return timer as unknown as Timer;
  }

  clearTimeout(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== (timer as unknown));
  }

  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.fn();
    }
    this.#now = target;
  }
}

/** An agent named `gated` that logs `started` once, then waits until the test calls `release`. */
export function gatedAgent(): { agent: AgentDefinition; release(): void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const agent = defineAgent({
    name: "gated",
    version: "1.0.0",
    description: "logs, then waits for the test",
    async run(_input, ctx) {
      await ctx.log("info", "started");
      await gate;
      return { ok: true };
    },
  }) as AgentDefinition;
  return { agent, release: () => release() };
}

export interface Harness {
  runtime: Runtime;
  store: Store;
  clock: FakeClock;
  connect(): { client: TestClient; peer: MemoryPeer };
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    config?: Partial<RuntimeConfig>;
    agents?: AgentDefinition[];
    clock?: Clock;
    store?: Store;
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const registry = new AgentRegistry();
  for (const def of [...builtinAgents(), ...(options.agents ?? [])]) registry.register(def);
  const store = options.store ?? createMemoryStore();
  const clock = options.clock ?? new FakeClock();
  const fake = clock instanceof FakeClock ? clock : new FakeClock();
  const workspaceDir = makeTempDir("harness");
  const runtime = new Runtime({
    store,
    authenticator: new BearerAuthenticator([
      { token: "tok-alice", principalId: "alice" },
      { token: "tok-bob", principalId: "bob" },
    ]),
    agents: registry,
    clock,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    config: options.config ?? {},
    operations: createOperationRunner({
      tools: new ToolRegistry(builtinTools()),
      workspace: new Workspace(workspaceDir),
      models: new ModelRouter({ default: createMockModelAdapter() }),
      fetchTimeoutMs: 5000,
      maxFetchBytes: 1 << 20,
      maxReadBytes: 1 << 20,
    }),
  });
  await runtime.start();
  return {
    runtime,
    store,
    clock: fake,
    connect() {
      const { server, client: peer } = createMemoryTransportPair();
      const client = new TestClient((text) => peer.send(text));
      peer.onFrame((text) => client.receive(text));
      peer.onClose((info) => client.markClosed(info.code));
      runtime.accept(server);
      return { client, peer };
    },
    async close() {
      try {
        await runtime.shutdown();
        await store.close();
      } finally {
        removeTempDir(workspaceDir);
      }
    },
  };
}
