/**
 * The world the runtime mediates (§9.3): the workspace agents see as `/`, the tool registry,
 * and the model router. Chosen here, in the composition root, from flags and the config file.
 */
import { join } from "node:path";
import { createMockModelAdapter } from "../models/mock.js";
import { type ModelAdapter, ModelRouter } from "../models/model-adapter.js";
import { createOpenAiCompatibleAdapter } from "../models/openai-compatible.js";
import type { OperationDeps } from "../runtime/operations/operations.js";
import { builtinTools } from "../tools/builtins.js";
import { commandTool } from "../tools/command-tool.js";
import { loadToolModule } from "../tools/module-loader.js";
import { ToolRegistry } from "../tools/tool.js";
import { Workspace } from "../world/workspace.js";
import type { LoadedConfig } from "./config-file.js";
import { defaultDataDir } from "./data-dir.js";

export interface WorldOptions {
  workspace?: string | undefined;
  toolsFile?: string | undefined;
  /** OpenAI-compatible endpoint for every model that is not `mock/*`. */
  modelEndpoint?: string | undefined;
  modelApiKey?: string | undefined;
}

export async function buildWorld(
  options: WorldOptions,
  config: LoadedConfig | undefined,
): Promise<OperationDeps> {
  const tools = new ToolRegistry(builtinTools());
  if (options.toolsFile !== undefined)
    for (const tool of await loadToolModule(options.toolsFile)) tools.register(tool);
  for (const spec of config?.tools ?? []) tools.register(commandTool(spec));
  const mock = createMockModelAdapter();
  // Without an upstream every model is served by the deterministic mock; with one, `mock/*`
  // stays local and everything else goes to the upstream (or the job's provisioned key).
  let models: ModelRouter;
  if (options.modelEndpoint === undefined) {
    models = new ModelRouter({ default: mock });
  } else {
    const upstream: ModelAdapter = createOpenAiCompatibleAdapter({
      endpoint: options.modelEndpoint,
      ...(options.modelApiKey === undefined ? {} : { apiKey: options.modelApiKey }),
    });
    models = new ModelRouter({ routes: [{ pattern: "mock/*", adapter: mock }], default: upstream });
  }
  return {
    tools,
    workspace: new Workspace(options.workspace ?? join(defaultDataDir(), "workspace")),
    models,
    fetchTimeoutMs: 30_000,
    maxFetchBytes: 10 * 1024 * 1024,
    maxReadBytes: 10 * 1024 * 1024,
  };
}
