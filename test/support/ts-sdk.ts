// Loads the unmodified ARCP TypeScript SDK client from a built checkout named by ARCP_TS_SDK_DIR.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Envelope as handed to `client.on(type, handler)` (already schema-decoded by the SDK). */
export interface SdkEnvelope {
  readonly type: string;
  readonly session_id?: string;
  readonly job_id?: string;
  readonly event_seq?: number;
  readonly trace_id?: string;
  readonly payload: Record<string, unknown>;
}

/** Error the SDK rejects with (core `ARCPError`): code/retryable/details from the wire. */
export interface SdkError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface SdkJobResult {
  readonly final_status: "success";
  readonly result?: unknown;
  readonly result_id?: string;
  readonly result_size?: number;
  readonly summary?: string;
}

export interface SdkJobHandle {
  readonly jobId: string;
  readonly traceId: string | undefined;
  readonly lease: Readonly<Record<string, readonly string[]>>;
  readonly done: Promise<SdkJobResult>;
  collectChunks(): Promise<Buffer | string>;
}

export interface SdkWelcome {
  readonly resume_token: string;
  readonly resume_window_sec: number;
  readonly heartbeat_interval_sec?: number;
  readonly capabilities: { readonly features?: readonly string[] };
}

/** Opaque transport from core's `WebSocketTransport.connect(url)`. */
export type SdkTransport = { readonly closed: boolean; close(reason?: string): Promise<void> };

export interface SdkClient {
  connect(transport: SdkTransport): Promise<SdkWelcome>;
  resume(
    transport: SdkTransport,
    resume: { session_id: string; resume_token: string; last_event_seq: number },
  ): Promise<SdkWelcome>;
  submit(opts: {
    agent: string;
    input?: unknown;
    lease?: Record<string, string[]>;
    idempotencyKey?: string;
    maxRuntimeSec?: number;
    traceId?: string;
    signal?: AbortSignal;
  }): Promise<SdkJobHandle>;
  cancelJob(jobId: string, opts?: { reason?: string }): Promise<void>;
  listJobs(
    filter?: { status?: string[]; agent?: string; created_after?: string; created_before?: string },
    opts?: { limit?: number; cursor?: string },
  ): Promise<{ jobs: Record<string, unknown>[]; nextCursor: string | null }>;
  subscribe(
    jobId: string,
    opts?: { history?: boolean; fromEventSeq?: number },
  ): Promise<{
    currentStatus: string;
    subscribedFrom: number;
    replayed: boolean;
    unsubscribe(): Promise<void>;
  }>;
  ack(seq: number): Promise<void>;
  on(type: string, handler: (env: SdkEnvelope) => void): void;
  close(reason?: string): Promise<void>;
  readonly state: { readonly id: string | undefined };
  readonly negotiatedFeatures: readonly string[];
  readonly isSessionBroken: boolean;
  readonly lastEventSeqObserved: number;
}

/** Duck-typed pino subset the client calls (warn on every frame it drops). */
export interface SdkLogger {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  trace(obj: unknown, msg?: string): void;
  fatal(obj: unknown, msg?: string): void;
}

export interface SdkClientOptions {
  client: { name: string; version: string };
  authScheme: "bearer";
  token?: string;
  logger?: SdkLogger;
  features?: readonly string[];
  handshakeTimeoutMs?: number;
  autoAck?: boolean;
  onSessionBroken?: (info: { lastEventSeq: number; receivedEventSeq: number }) => void;
}

export interface TsSdk {
  readonly ARCPClient: new (options: SdkClientOptions) => SdkClient;
  readonly WebSocketTransport: { connect(url: string): Promise<SdkTransport> };
}

/** Imports the built client + core from `dir` (a pnpm-installed, `tsc -b`-built checkout). */
export async function loadTsSdk(dir: string): Promise<TsSdk> {
  const load = async (rel: string): Promise<Record<string, unknown>> =>
    (await import(pathToFileURL(join(dir, rel)).href)) as Record<string, unknown>;
  const client = await load("packages/client/dist/index.js");
  const core = await load("packages/core/dist/index.js");
  return {
    ARCPClient: client.ARCPClient as TsSdk["ARCPClient"],
    WebSocketTransport: core.WebSocketTransport as TsSdk["WebSocketTransport"],
  };
}

/** Logger that records every warning/error the client emits (dropped frames show up here). */
export function recordingLogger(): SdkLogger & { readonly complaints: string[] } {
  const complaints: string[] = [];
  const keep = (obj: unknown, msg?: string): void => {
    complaints.push(
      `${msg ?? ""} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`,
    );
  };
  const ignore = (): void => {};
  return {
    complaints,
    warn: keep,
    error: keep,
    info: ignore,
    debug: ignore,
    trace: ignore,
    fatal: ignore,
  };
}

/** Routes `job.event`/`job.cancelled`/`job.result`/`job.error` per job_id into arrays plus waiters. */
export function jobFrames(client: SdkClient): {
  of(jobId: string): SdkEnvelope[];
  next(jobId: string, type: string): Promise<SdkEnvelope>;
} {
  const byJob = new Map<string, SdkEnvelope[]>();
  const waiters: Array<{ jobId: string; type: string; resolve: (e: SdkEnvelope) => void }> = [];
  const push = (env: SdkEnvelope): void => {
    const id = env.job_id ?? "";
    const list = byJob.get(id) ?? [];
    list.push(env);
    byJob.set(id, list);
    for (const w of waiters.filter((x) => x.jobId === id && x.type === env.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(env);
    }
  };
  for (const t of ["job.event", "job.cancelled", "job.result", "job.error"]) client.on(t, push);
  return {
    of: (jobId) => byJob.get(jobId) ?? [],
    next: (jobId, type) => {
      const seen = (byJob.get(jobId) ?? []).find((e) => e.type === type);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ jobId, type, resolve }));
    },
  };
}
