/**
 * `model.use` patterns (§9.7) mapped onto a LiteLLM virtual key's `models` list (§9.8.3).
 *
 * LiteLLM reads a key's `models` entry as an exact model name unless it contains `*`. A wildcard
 * entry becomes the regular expression with every `*` turned into `.*` (so it crosses `/`, and
 * `.`, `+`, `?`, `(`… keep their regex meaning), and LiteLLM also admits a bare model name when
 * its inferred `provider/name` form matches (`openai/*` admits `gpt-4o`). An empty list, `*` and
 * `all-proxy-models` admit every model. ARCP's `*` stays within one `/` segment and only `*` is
 * special (DESIGN-7). So each pattern maps as follows:
 *
 * - no `*` (an exact name): sent as is;
 * - `**`: sent as `*` (every model);
 * - `X/**` with `X` free of `*` and regex characters: sent as `X` and `X/*`;
 * - anything else: widened to its literal prefix (up to the first `*` or regex character other
 *   than `.`, and before the `/` of a `/**` segment, which may match nothing) plus `*`.
 *
 * Every mapping admits at least what the pattern admits, so a call the lease allows is never
 * refused upstream; wildcard entries may admit more, and the runtime keeps enforcing the exact
 * lease (§9.3). Since what a wildcard entry admits depends on LiteLLM's provider inference and
 * deployment config, the adapter reports `model.use` as enforced (§9.8.1 `constraints`) only
 * when every pattern is an exact name. A `model.use` without patterns is sent as a name no
 * deployment should define, because LiteLLM reads an empty list as "every model". Deployments
 * must not name model access groups after models that leases mention.
 */

/** LiteLLM's entry for "no model" (an empty list would mean every model). */
export const LITELLM_NO_MODEL = "runplane-no-model";

// Names LiteLLM gives a special meaning in a key's models list.
const SENTINELS: ReadonlySet<string> = new Set([
  "all-proxy-models",
  "all-team-models",
  "no-default-models",
]);
// Characters that are special in the regex LiteLLM builds from a wildcard entry.
const REGEX_CHARS = /[.^$+?()[\]{}|\\]/;
const REGEX_CHARS_BUT_DOT = /[\^$+?()[\]{}|\\]/;

export interface LiteLlmModelMapping {
  /** The key's `models` list. */
  upstream: string[];
  /** True when LiteLLM admits exactly the lease's models (every pattern an exact name). */
  exact: boolean;
}

/** Map a lease's `model.use` patterns onto LiteLLM (see the module comment). */
export function mapModelPatterns(patterns: readonly string[]): LiteLlmModelMapping {
  if (patterns.length === 0) return { upstream: [LITELLM_NO_MODEL], exact: true };
  const upstream = new Set<string>();
  let exact = true;
  for (const pattern of patterns) {
    for (const entry of mapPattern(pattern)) upstream.add(entry);
    if (pattern.includes("*") || SENTINELS.has(pattern)) exact = false;
  }
  return { upstream: [...upstream], exact };
}

function mapPattern(pattern: string): string[] {
  if (!pattern.includes("*")) return [pattern];
  if (pattern === "**") return ["*"];
  if (pattern.endsWith("/**")) {
    const base = pattern.slice(0, -3);
    if (base !== "" && !base.includes("*") && !REGEX_CHARS.test(base)) return [base, `${base}/*`];
  }
  return [`${literalPrefix(pattern)}*`];
}

/** The part of `pattern` every name it matches starts with, free of LiteLLM regex hazards. */
function literalPrefix(pattern: string): string {
  const star = pattern.indexOf("*");
  const hazard = pattern.slice(0, star).search(REGEX_CHARS_BUT_DOT);
  let end = hazard === -1 ? star : hazard;
  // A whole-segment `**` may match zero segments, taking its leading `/` with it.
  if (end === star && end > 0 && pattern[end - 1] === "/" && isGlobstarSegment(pattern, end)) {
    end -= 1;
  }
  return pattern.slice(0, end);
}

function isGlobstarSegment(pattern: string, start: number): boolean {
  let i = start;
  while (pattern[i] === "*") i++;
  return i - start >= 2 && (i === pattern.length || pattern[i] === "/");
}
