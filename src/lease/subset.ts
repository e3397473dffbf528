/** Exact pattern-language inclusion with a shortest witness (§9.4, DESIGN-8). */
import type { CompiledPattern } from "./glob.js";
import { LeaseError } from "./lease-error.js";
import { anyAccepting, anyUniversal, type Nfa, stepNfa, unionNfa } from "./nfa.js";

/**
 * Default bound on the work of inclusion checks sharing one {@link WorkBudget} (automaton
 * states visited while stepping), so a hostile lease cannot hold the event loop for more than
 * some tens of milliseconds.
 */
export const MAX_SUBSET_WORK = 100_000;

/** A work allowance shared by several inclusion checks, e.g. every capability of one delegation. */
export class WorkBudget {
  #left: number;

  constructor(max: number = MAX_SUBSET_WORK) {
    this.#left = max;
  }

  /** Spend `units`; false once the allowance is gone. */
  spend(units: number): boolean {
    this.#left -= units;
    return this.#left >= 0;
  }
}

// Readable stand-ins for "any character no pattern names"; the first unused one is chosen.
const OTHER_CANDIDATES = "xyzqwkjv0123456789abcdefghilmnoprstuABCDEFGHIJKLMNOPQRSTUVWXYZ_~";

interface Node {
  readonly child: readonly number[];
  readonly parent: readonly number[];
  readonly prev: number;
  readonly via: string;
}

interface Search {
  readonly child: Nfa;
  readonly parent: Nfa;
  readonly alphabet: readonly string[];
  readonly pattern: string;
  readonly budget: WorkBudget;
}

/**
 * Decide L(child patterns) ⊆ L(parent patterns) exactly, on the same automata used for
 * matching (§9.4, DESIGN-8).
 *
 * @returns `null` when every string some child pattern matches is matched by some parent
 * pattern; otherwise a shortest string the child admits and the parent does not.
 * @throws LeaseError `LEASE_SUBSET_VIOLATION` (details `reason: "too_complex"`) when the check
 * would exhaust `budget` (default: a fresh {@link MAX_SUBSET_WORK}); refusing is the safe answer when inclusion cannot be shown.
 */
export function subsetWitness(
  child: readonly CompiledPattern[],
  parent: readonly CompiledPattern[],
  budget: WorkBudget = new WorkBudget(),
): string | null {
  const alphabet = alphabetFor(child, parent);
  const parentNfa = unionNfa(parent.map((p) => p.nfa));
  // Inclusion of a union is inclusion of each member, and one member is a smaller search.
  for (const c of child) {
    const search = { child: c.nfa, parent: parentNfa, alphabet, pattern: c.source, budget };
    const witness = searchWitness(search);
    if (witness !== null) return witness;
  }
  return null;
}

/**
 * Every literal character of both sides, `/`, and one representative of all other characters:
 * no edge distinguishes two characters outside the literal set, so this alphabet is exact.
 */
function alphabetFor(
  child: readonly CompiledPattern[],
  parent: readonly CompiledPattern[],
): string[] {
  const chars = new Set<string>(["/"]);
  for (const p of [...child, ...parent]) for (const c of p.literals) chars.add(c);
  chars.add(otherCharacter(chars));
  return [...chars];
}

function otherCharacter(used: ReadonlySet<string>): string {
  for (const c of OTHER_CANDIDATES) if (!used.has(c)) return c;
  for (let code = 0xc0; ; code++) {
    const c = String.fromCharCode(code);
    if (!used.has(c)) return c;
  }
}

/** Breadth-first over (child set, parent set) pairs, so the first witness found is shortest. */
function searchWitness(s: Search): string | null {
  const { child, parent } = s;
  if (anyUniversal(parent, parent.start)) return null;
  const childMark = new Uint8Array(child.edges.length);
  const parentMark = new Uint8Array(parent.edges.length);
  const nodes: Node[] = [{ child: child.start, parent: parent.start, prev: -1, via: "" }];
  const seen = new Set<string>([keyOf(child.start, parent.start)]);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    if (anyAccepting(child, node.child) && !anyAccepting(parent, node.parent)) {
      return spell(nodes, i);
    }
    for (const c of s.alphabet) {
      if (!s.budget.spend(node.child.length + node.parent.length)) throw tooComplex(s.pattern);
      const nextChild = stepNfa(child, node.child, c, childMark);
      if (nextChild.length === 0) continue;
      const nextParent = stepNfa(parent, node.parent, c, parentMark);
      // A parent that now accepts every continuation can never be escaped: prune.
      if (anyUniversal(parent, nextParent)) continue;
      const key = keyOf(nextChild, nextParent);
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push({ child: nextChild, parent: nextParent, prev: i, via: c });
    }
  }
  return null;
}

function keyOf(child: readonly number[], parent: readonly number[]): string {
  return `${child.join(",")}|${parent.join(",")}`;
}

function spell(nodes: readonly Node[], index: number): string {
  const chars: string[] = [];
  for (let i = index; i > 0; ) {
    const node = nodes[i] as Node;
    chars.push(node.via);
    i = node.prev;
  }
  return chars.reverse().join("");
}

function tooComplex(pattern: string): LeaseError {
  return new LeaseError(
    "LEASE_SUBSET_VIOLATION",
    `cannot show that pattern ${pattern} is covered by the parent lease within the check's limits`,
    { pattern, reason: "too_complex" },
  );
}
