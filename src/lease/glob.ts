/** Capability glob patterns (§9.2, DESIGN-7) compiled once into an NFA shared by matching and subsetting. */
import { hasControlCharacter } from "./canonical.js";
import { LeaseError } from "./lease-error.js";
import { EdgeKind, type Nfa, NfaBuilder, NfaMatcher } from "./nfa.js";

/** Longest pattern accepted, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 512;
/** Most wildcards (runs of `*`) one pattern may hold; keeps matching and subset checks cheap. */
export const MAX_WILDCARDS = 16;

/** A validated capability pattern and its automaton. */
export interface CompiledPattern {
  readonly source: string;
  readonly nfa: Nfa;
  /** Every character the pattern names literally (the subset check's alphabet). */
  readonly literals: ReadonlySet<string>;
  /** The cached matcher over `nfa`. */
  readonly matcher: NfaMatcher;
}

type Token =
  | { readonly t: "lit"; readonly c: string }
  | { readonly t: "star" }
  | { readonly t: "any" }
  | { readonly t: "optAnySlash" }
  | { readonly t: "optSlashAny" };

const GLOBSTAR_SEGMENT = /^\*{2,}$/;
const STAR_RUN = /\*+/g;

/**
 * Validate and compile a capability pattern (§9.2, DESIGN-7).
 *
 * `*` matches any run of characters other than `/`; a segment made only of two or more `*`
 * matches zero or more whole segments (`/a/**` matches `/a`, `/a/` and `/a/b/c`, and `/a/**\/x`
 * matches `/a/x`); any other run of two or more `*` matches any characters, `/` included;
 * `?` and every other character match only themselves.
 *
 * @throws LeaseError `INVALID_REQUEST` when the pattern is empty, too long, has too many
 * wildcards or contains a control character.
 */
export function compilePattern(source: string): CompiledPattern {
  validatePattern(source);
  const tokens = tokenize(source);
  const literals = new Set<string>();
  for (const tok of tokens) if (tok.t === "lit") literals.add(tok.c);
  const nfa = buildNfa(tokens);
  return { source, nfa, literals, matcher: new NfaMatcher(nfa) };
}

/** True when `target` (already canonical) matches at least one of `patterns`. */
export function matchesAny(patterns: readonly CompiledPattern[], target: string): boolean {
  for (const p of patterns) if (p.matcher.matches(target)) return true;
  return false;
}

/** True when `target` matches `pattern` as a whole string. */
export function matchesPattern(pattern: CompiledPattern, target: string): boolean {
  return pattern.matcher.matches(target);
}

function validatePattern(source: string): void {
  if (typeof source !== "string" || source.length === 0) {
    throw new LeaseError("INVALID_REQUEST", "capability pattern must be a non-empty string");
  }
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new LeaseError(
      "INVALID_REQUEST",
      `capability pattern ${source.slice(0, 64)}… is longer than ${MAX_PATTERN_LENGTH} characters`,
      { pattern: source.slice(0, 64) },
    );
  }
  if (hasControlCharacter(source)) {
    const shown = JSON.stringify(source);
    throw new LeaseError(
      "INVALID_REQUEST",
      `capability pattern ${shown} contains a control character`,
      { pattern: shown },
    );
  }
  const wildcards = source.match(STAR_RUN)?.length ?? 0;
  if (wildcards > MAX_WILDCARDS) {
    throw new LeaseError(
      "INVALID_REQUEST",
      `capability pattern ${source} has more than ${MAX_WILDCARDS} wildcards`,
      { pattern: source },
    );
  }
}

function tokenize(source: string): Token[] {
  const segments = source.split("/");
  const first = segments.findIndex((s) => !GLOBSTAR_SEGMENT.test(s));
  if (first === -1) return [{ t: "any" }];
  // Leading globstar segments match nothing or "anything followed by /".
  const tokens: Token[] = first > 0 ? [{ t: "optAnySlash" }] : [];
  segmentTokens(segments[first] ?? "", tokens);
  for (let i = first + 1; i < segments.length; i++) {
    const seg = segments[i] ?? "";
    if (GLOBSTAR_SEGMENT.test(seg)) {
      // Dropping the segment also drops its separator, which is how `/a/**` matches `/a`.
      tokens.push({ t: "optSlashAny" });
    } else {
      tokens.push({ t: "lit", c: "/" });
      segmentTokens(seg, tokens);
    }
  }
  return tokens;
}

function segmentTokens(seg: string, out: Token[]): void {
  let i = 0;
  while (i < seg.length) {
    const c = seg.charAt(i);
    if (c !== "*") {
      out.push({ t: "lit", c });
      i++;
      continue;
    }
    let end = i;
    while (seg.charAt(end) === "*") end++;
    out.push(end - i === 1 ? { t: "star" } : { t: "any" });
    i = end;
  }
}

function buildNfa(tokens: readonly Token[]): Nfa {
  const b = new NfaBuilder();
  let cur = 0;
  for (const tok of tokens) cur = appendToken(b, cur, tok);
  return b.finish(cur);
}

function appendToken(b: NfaBuilder, cur: number, tok: Token): number {
  const next = b.add();
  switch (tok.t) {
    case "lit":
      b.edge(cur, EdgeKind.Literal, tok.c, next);
      return next;
    case "star":
    case "any":
      b.epsilon(cur, next);
      b.edge(next, tok.t === "star" ? EdgeKind.NotSlash : EdgeKind.Any, "", next);
      return next;
    case "optAnySlash": {
      const loop = b.add();
      b.epsilon(cur, next);
      b.epsilon(cur, loop);
      b.edge(loop, EdgeKind.Any, "", loop);
      b.edge(loop, EdgeKind.Literal, "/", next);
      return next;
    }
    case "optSlashAny": {
      const loop = b.add();
      b.epsilon(cur, next);
      b.edge(cur, EdgeKind.Literal, "/", loop);
      b.edge(loop, EdgeKind.Any, "", loop);
      b.epsilon(loop, next);
      return next;
    }
  }
}
