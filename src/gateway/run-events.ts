/** A run's ARCP events as ARP `RunEvent`s (DESIGN-28): one stateful mapper per event stream. */
import { payloadOf } from "../runtime/subscriptions.js";
import type { EventRecord, JobRecord } from "../store/store.js";
import { withoutNulls } from "./arp-error.js";
import { RUN_STATE_OF_JOB } from "./run-mapping.js";
import type { RunEvent, RunEventType, RunState } from "./schemas/index.js";

/** Tool-result error codes that are policy refusals, not executions (§9.3, §9.5, §9.6). */
export const POLICY_DENIAL_CODES: ReadonlySet<string> = new Set([
  "PERMISSION_DENIED",
  "BUDGET_EXHAUSTED",
  "LEASE_EXPIRED",
]);

/** Event kinds shown only with `?include=all`, as `node_evaluated` with `data.arcp_kind`. */
export const DETAIL_KINDS = [
  "log",
  "thought",
  "progress",
  "metric",
  "status",
  "artifact_ref",
  "result_chunk",
] as const;

/** How many unanswered `tool_call`s a stream remembers; older ones are forgotten. */
const MAX_PENDING_CALLS = 1024;

type Json = Record<string, unknown>;
type PendingCall = { tool?: unknown; args?: unknown };

const iso = (ms: number): string => new Date(ms).toISOString();

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

/** Provisioned credential values never reach ARP (arcp-9.8-authenticated-only). */
function withoutCredentialValues(kind: string, body: Json): Json {
  if (kind === "status" && body.phase === "credential_rotated") {
    return body.message === undefined
      ? { phase: body.phase }
      : { phase: body.phase, message: body.message };
  }
  return body;
}

/** The terminal `RunState` a `job.result` / `job.error` payload means. */
function terminalState(type: string, payload: Json): RunState {
  if (type === "job.result") return "succeeded";
  return payload.final_status === "cancelled" ? "canceled" : "failed";
}

/**
 * Maps one run's event log to `RunEvent`s, numbering them from 0 as they are emitted.
 * `opening()` comes first (`run_started` from the job record, then `node_run_assigned`);
 * each stored event then yields zero or more `RunEvent`s; `done` turns true after the terminal.
 */
export class RunEventMapper {
  readonly #record: JobRecord;
  readonly #includeAll: boolean;
  readonly #runId: string;
  readonly #pending = new Map<string, PendingCall>();
  #seq = 0;
  #done = false;

  constructor(record: JobRecord, options: { includeAll: boolean }) {
    this.#record = record;
    this.#includeAll = options.includeAll;
    this.#runId = record.runId ?? record.id;
  }

  get done(): boolean {
    return this.#done;
  }

  /** `run_started` (data: the `job.accepted` payload) and `node_run_assigned` (data: the agent). */
  opening(): RunEvent[] {
    const record = this.#record;
    const accepted = asObject(safeParse(record.acceptedPayload));
    delete accepted.credentials;
    const at = record.createdAt;
    const [name = record.agent, version] = record.agent.split("@");
    const assigned: Json = { agent: record.agent, node_type_id: name };
    if (version !== undefined) assigned.version = version;
    return [
      this.#event("run_started", at, { arcp_type: "job.accepted", payload: accepted }),
      this.#event("node_run_assigned", at, assigned),
    ];
  }

  /** The `RunEvent`s one stored ARCP event becomes (none for a hidden kind or after the end). */
  map(ev: Pick<EventRecord, "type" | "kind" | "ts" | "frame">): RunEvent[] {
    if (this.#done) return [];
    const payload = asObject(safeParse(payloadOf(ev.frame)));
    if (ev.type === "job.result" || ev.type === "job.error") {
      this.#done = true;
      const state = terminalState(ev.type, payload);
      const data = ev.type === "job.error" ? withoutNulls(payload) : payload;
      return [this.#event("run_completed", ev.ts, { state, arcp_type: ev.type, payload: data })];
    }
    if (ev.type !== "job.event") return [];
    const kind = ev.kind ?? String(payload.kind ?? "");
    const body = asObject(payload.body);
    switch (kind) {
      case "tool_call":
        this.#remember(body);
        return [];
      case "tool_result":
        return [this.#toolResult(ev.ts, body)];
      case "delegate":
        return [this.#event("subtask_mapped", ev.ts, { arcp_kind: kind, body })];
      default:
        if (!this.#includeAll) return [];
        return [
          this.#event("node_evaluated", ev.ts, {
            arcp_kind: kind,
            body: withoutCredentialValues(kind, body),
          }),
        ];
    }
  }

  /**
   * The `run_completed` for a log that ended without a terminal event (pruned history), from
   * the job's current record; nothing while the job is still live.
   */
  closing(current: Pick<JobRecord, "state" | "endedAt">, now: number): RunEvent[] {
    const state = RUN_STATE_OF_JOB[current.state];
    if (this.#done || state === "queued" || state === "running") return [];
    this.#done = true;
    return [this.#event("run_completed", current.endedAt ?? now, { state })];
  }

  #remember(body: Json): void {
    const callId = body.call_id;
    if (typeof callId !== "string") return;
    if (this.#pending.size >= MAX_PENDING_CALLS) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    this.#pending.set(callId, { tool: body.tool, args: body.args });
  }

  /** A tool_call/tool_result pair: `atomic_executed`, or `policy_decided` when the lease refused it. */
  #toolResult(ts: number, body: Json): RunEvent {
    const callId = typeof body.call_id === "string" ? body.call_id : undefined;
    const call = callId === undefined ? undefined : this.#pending.get(callId);
    if (callId !== undefined) this.#pending.delete(callId);
    const data: Json = {};
    if (call?.tool !== undefined) data.tool = call.tool;
    if (call?.args !== undefined) data.args = call.args;
    if (callId !== undefined) data.call_id = callId;
    const error = body.error === undefined ? undefined : withoutNulls(asObject(body.error));
    if (error !== undefined && POLICY_DENIAL_CODES.has(String(error.code))) {
      return this.#event("policy_decided", ts, {
        decision: "deny",
        code: error.code,
        ...data,
        error,
      });
    }
    if (error !== undefined) data.error = error;
    else data.result = body.result;
    return this.#event("atomic_executed", ts, data);
  }

  #event(type: RunEventType, ts: number, data: Json): RunEvent {
    return {
      run_id: this.#runId,
      node_run_id: this.#record.id,
      seq: this.#seq++,
      type,
      time: iso(ts),
      data,
    };
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
