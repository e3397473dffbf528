/** The agent registry (§7.5): names, versions and defaults, and resolution of `name@version`. */
import { ArcpError } from "../protocol/errors.js";
import { AGENT_NAME, AGENT_VERSION } from "../protocol/messages/jobs.js";
import type { AgentInventoryEntry } from "../protocol/messages/session.js";
import type { AgentDefinition } from "./agent.js";

export interface ResolvedAgent {
  definition: AgentDefinition;
  name: string;
  version: string;
  /** `name@version`, as shown in job.accepted and listings. */
  ref: string;
}

interface Entry {
  versions: Map<string, AgentDefinition>;
  explicitDefault: string | undefined;
}

/** Compare two version strings: SemVer-like numeric parts first, then lexical. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export class AgentRegistry {
  readonly #agents = new Map<string, Entry>();

  /** Add an agent version. A later registration of the same name@version replaces it. */
  register(definition: AgentDefinition): void {
    if (!AGENT_NAME.test(definition.name)) {
      throw new TypeError(`agent name "${definition.name}" must match ${AGENT_NAME}`);
    }
    if (!AGENT_VERSION.test(definition.version)) {
      throw new TypeError(`agent version "${definition.version}" must match ${AGENT_VERSION}`);
    }
    if (typeof definition.run !== "function") {
      throw new TypeError(`agent ${definition.name}@${definition.version} has no run function`);
    }
    let entry = this.#agents.get(definition.name);
    if (entry === undefined) {
      entry = { versions: new Map(), explicitDefault: undefined };
      this.#agents.set(definition.name, entry);
    }
    entry.versions.set(definition.version, definition);
    if (definition.default === true) entry.explicitDefault = definition.version;
  }

  /** Make `version` the default for `name` (§7.5); running jobs keep their version. */
  setDefault(name: string, version: string): void {
    const entry = this.#agents.get(name);
    if (entry === undefined || !entry.versions.has(version)) {
      throw new TypeError(`no agent ${name}@${version} to make default`);
    }
    entry.explicitDefault = version;
  }

  /** The explicit default, else the highest registered version. */
  defaultVersion(name: string): string | undefined {
    const entry = this.#agents.get(name);
    if (entry === undefined) return undefined;
    if (entry.explicitDefault !== undefined) return entry.explicitDefault;
    return [...entry.versions.keys()].sort(compareVersions).at(-1);
  }

  /**
   * Resolve a reference already checked against the §7.5 grammar.
   * Throws AGENT_NOT_AVAILABLE or AGENT_VERSION_NOT_AVAILABLE.
   */
  resolve(ref: string): ResolvedAgent {
    const at = ref.indexOf("@");
    const name = at === -1 ? ref : ref.slice(0, at);
    const entry = this.#agents.get(name);
    if (entry === undefined) {
      throw new ArcpError("AGENT_NOT_AVAILABLE", `agent "${name}" is not registered`, {
        details: { agent: name },
      });
    }
    const version = at === -1 ? this.defaultVersion(name) : ref.slice(at + 1);
    const definition = version === undefined ? undefined : entry.versions.get(version);
    if (definition === undefined || version === undefined) {
      throw new ArcpError(
        "AGENT_VERSION_NOT_AVAILABLE",
        `agent "${name}" has no version "${version ?? ""}"`,
        {
          details: {
            agent: name,
            requested: version ?? null,
            available: [...entry.versions.keys()],
          },
        },
      );
    }
    return { definition, name, version, ref: `${name}@${version}` };
  }

  has(name: string): boolean {
    return this.#agents.has(name);
  }

  /** The welcome inventory (§6.2): one entry per name with its versions and default. */
  inventory(): AgentInventoryEntry[] {
    return [...this.#agents.keys()].sort().map((name) => {
      const entry = this.#agents.get(name) as Entry;
      const versions = [...entry.versions.keys()].sort(compareVersions);
      const def = this.defaultVersion(name);
      return def === undefined ? { name, versions } : { name, versions, default: def };
    });
  }
}
