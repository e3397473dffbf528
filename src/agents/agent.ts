/**
 * The public agent API: what users write against. An agent is an async function of its
 * input and a context; the context's operations are the only way it reaches the world.
 */
import type { Credential, LogLevel } from "../protocol/messages/index.js";

/** What an agent can see of its own job. */
export interface JobInfo {
  readonly id: string;
  readonly agent: string;
  readonly version: string;
  readonly lease: Readonly<Record<string, readonly string[]>>;
  /** Live remaining budget per currency (display units), or undefined without cost.budget. */
  readonly budget: Readonly<Record<string, number>> | undefined;
  readonly expiresAt: string | undefined;
  readonly traceId: string;
  readonly traceparent: string;
  readonly parentJobId: string | undefined;
  readonly credentials: readonly Credential[];
  /** Fired on cancel, timeout, lease expiry or shutdown. */
  readonly signal: AbortSignal;
}

export interface ProgressOptions {
  total?: number;
  units?: string;
  message?: string;
}

export interface MetricOptions {
  unit?: string;
  dims?: Record<string, string>;
}

export interface ArtifactRef {
  uri: string;
  content_type: string;
  byte_size?: number;
  sha256?: string;
}

/** A streamed result under construction (§8.4). */
export interface ResultWriter {
  /** Send one chunk: strings go as `utf8`, bytes as `base64`. */
  write(data: string | Uint8Array): Promise<void>;
  /** Send the final chunk; return the value it gives from `run`. */
  end(options?: { data?: string | Uint8Array; summary?: string }): Promise<StreamedResult>;
}

/** Returned from `run` to say the result was streamed. */
export interface StreamedResult {
  readonly streamed: true;
  readonly resultId: string;
  readonly size: number;
  readonly summary: string | undefined;
}

/** Runtime-mediated operations (§9.3); each is checked against the lease before dispatch. */
export interface MediatedOperations {
  tools: { call(name: string, args?: Record<string, unknown>): Promise<unknown> };
  fs: {
    read(path: string): Promise<string>;
    write(path: string, data: string): Promise<void>;
  };
  net: { fetch(url: string, init?: FetchInit): Promise<FetchResult> };
  models: { invoke(model: string, request: ModelRequest): Promise<ModelResponse> };
  delegate(agent: string, input: unknown, options?: DelegateOptions): Promise<unknown>;
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface FetchResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ModelRequest {
  prompt?: string;
  messages?: { role: string; content: string }[];
  max_tokens?: number;
  [key: string]: unknown;
}

export interface ModelResponse {
  model: string;
  text: string;
  usage?: { input_tokens: number; output_tokens: number };
  cost?: { currency: string; amount: number };
}

export interface DelegateOptions {
  lease?: Record<string, string[]>;
  leaseConstraints?: { expires_at?: string };
  delegateId?: string;
}

export interface AgentContext extends MediatedOperations {
  readonly job: JobInfo;
  readonly signal: AbortSignal;
  log(level: LogLevel, message: string, attributes?: Record<string, unknown>): Promise<void>;
  thought(text: string): Promise<void>;
  progress(current: number, options?: ProgressOptions): Promise<void>;
  metric(name: string, value: number, options?: MetricOptions): Promise<void>;
  status(phase: string, message?: string): Promise<void>;
  artifact(ref: ArtifactRef): Promise<void>;
  /** A vendor event kind (`x-vendor.*`), passed through as is. */
  emit(kind: `x-vendor.${string}`, body: Record<string, unknown>): Promise<void>;
  readonly result: { stream(): ResultWriter };
}

export interface AgentDefinition<I = unknown, O = unknown> {
  name: string;
  version: string;
  description?: string;
  /** Marks this version as the one a bare name resolves to (§7.5). */
  default?: boolean;
  run(input: I, ctx: AgentContext): Promise<O | StreamedResult> | O | StreamedResult;
}

/** Identity helper that gives `run` its types. */
export function defineAgent<I = unknown, O = unknown>(
  definition: AgentDefinition<I, O>,
): AgentDefinition<I, O> {
  return definition;
}

export function isStreamedResult(value: unknown): value is StreamedResult {
  return typeof value === "object" && value !== null && (value as StreamedResult).streamed === true;
}
