/**
 * The mediated operations (§9.3, DESIGN-9): tools, files, HTTP, models and delegation, each
 * gated (expiry → budget → capability) before dispatch and recorded as tool_call/tool_result.
 * Built by the composition root from the world adapters it picked.
 */
import type { FetchInit } from "../../agents/agent.js";
import type { OperationRequest } from "../../agents/context.js";
import type { ModelCredential, ModelRouter } from "../../models/model-adapter.js";
import { ArcpError } from "../../protocol/errors.js";
import type { ToolEnvironment, ToolRegistry } from "../../tools/tool.js";
import { httpFetch } from "../../world/http-fetch.js";
import type { Workspace } from "../../world/workspace.js";
import { emitMetric } from "../job/budget-metrics.js";
import type { OperationRunner } from "../job/job-host.js";
import type { LiveJob } from "../job/live-job.js";
import type { Runtime } from "../runtime.js";
import { delegate } from "./delegate.js";
import { type GateOptions, gate } from "./gate.js";
import { mediate } from "./mediate.js";

export interface OperationDeps {
  tools: ToolRegistry;
  workspace: Workspace;
  models: ModelRouter;
  fetchTimeoutMs: number;
  maxFetchBytes: number;
  maxReadBytes: number;
}

export function createOperationRunner(deps: OperationDeps): (rt: Runtime) => OperationRunner {
  return (rt) => {
    const gateOptions = (): GateOptions => ({
      now: rt.clock.now(),
      requireModelUse: rt.config.requireModelUse,
    });
    const check = (job: LiveJob, capability: string, target: string): string =>
      gate(job, capability, target, gateOptions());
    const fetchFor = (job: LiveJob, url: string, init: FetchInit) =>
      httpFetch(url, init, {
        signal: job.signal,
        traceparent: job.authority.traceparent,
        timeoutMs: deps.fetchTimeoutMs,
        maxBytes: deps.maxFetchBytes,
        checkUrl: (u) => {
          check(job, "net.fetch", u);
        },
      });
    const toolEnv = (job: LiveJob): ToolEnvironment => ({
      jobId: job.id,
      signal: job.signal,
      traceparent: job.authority.traceparent,
      readFile: (path) => deps.workspace.read(check(job, "fs.read", path), deps.maxReadBytes),
      writeFile: async (path, data) => {
        await deps.workspace.write(check(job, "fs.write", path), data);
      },
      fetch: (url, init = {}) => fetchFor(job, url, init),
      log: (level, message) => {
        void job.emit("log", { level, message }).catch(() => {});
      },
    });

    return (job: LiveJob, request: OperationRequest): Promise<unknown> => {
      switch (request.op) {
        case "tool.call":
          return mediate(job, {
            tool: request.name,
            args: request.args,
            check: () => check(job, "tool.call", request.name),
            dispatch: () => deps.tools.call(request.name, request.args, toolEnv(job)),
          });
        case "fs.read": {
          let path = request.path;
          return mediate(job, {
            tool: "fs.read",
            args: { path: request.path },
            check: () => {
              path = check(job, "fs.read", request.path);
            },
            dispatch: () => deps.workspace.read(path, deps.maxReadBytes),
          });
        }
        case "fs.write": {
          let path = request.path;
          return mediate(job, {
            tool: "fs.write",
            args: { path: request.path, bytes: Buffer.byteLength(request.data) },
            check: () => {
              path = check(job, "fs.write", request.path);
            },
            dispatch: async () => ({ path, bytes: await deps.workspace.write(path, request.data) }),
          });
        }
        case "net.fetch":
          return mediate(job, {
            tool: "net.fetch",
            args: { url: request.url, method: request.init.method ?? "GET" },
            check: () => check(job, "net.fetch", request.url),
            dispatch: () => fetchFor(job, request.url, request.init),
          });
        case "model.invoke":
          return mediate(job, {
            tool: "model.invoke",
            args: { model: request.model },
            check: () => {
              check(job, "model.use", request.model);
              if (!deps.models.serves(request.model)) {
                throw new ArcpError(
                  "INVALID_REQUEST",
                  `no model adapter serves "${request.model}"`,
                );
              }
            },
            dispatch: async () => {
              const response = await deps.models.invoke(request.model, request.request, {
                signal: job.signal,
                traceparent: job.authority.traceparent,
                credential: modelCredential(job),
              });
              if (response.cost !== undefined && response.cost.amount > 0) {
                // Strong budget enforcement (§14): the runtime meters model cost itself.
                await emitMetric(job, {
                  name: "cost.inference",
                  value: response.cost.amount,
                  unit: response.cost.currency,
                  dims: { model: request.model },
                });
              }
              return response;
            },
          });
        case "delegate":
          return delegate(rt, job, request.agent, request.input, request.options, gateOptions);
      }
    };
  };
}

/**
 * The provisioned credential (§9.8) a model call should use in place of the adapter's own
 * endpoint and key: only one that says it speaks the OpenAI API at an http(s) endpoint. Any
 * other (a `memory://` test credential, a generic one) would hijack the configured upstream.
 */
export function modelCredential(job: Pick<LiveJob, "credentials">): ModelCredential | undefined {
  const found = job.credentials.find(
    (c) => c.profile === "openai" && /^https?:\/\//i.test(c.endpoint),
  );
  return found === undefined
    ? undefined
    : { value: found.value, endpoint: found.endpoint, profile: "openai" };
}
