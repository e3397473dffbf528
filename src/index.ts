/** Runplane's public API for code that runs inside it: agents and tools. */
export type {
  AgentContext,
  AgentDefinition,
  ArtifactRef,
  DelegateOptions,
  FetchInit,
  FetchResult,
  JobInfo,
  MetricOptions,
  ModelRequest,
  ModelResponse,
  ProgressOptions,
  ResultWriter,
  StreamedResult,
} from "./agents/agent.js";
export { defineAgent } from "./agents/agent.js";
export type { ErrorCode } from "./protocol/error-codes.js";
export { ERROR_CODES } from "./protocol/error-codes.js";
export { ArcpError } from "./protocol/errors.js";
export type { ToolDefinition, ToolEnvironment } from "./tools/tool.js";
export { defineTool } from "./tools/tool.js";
