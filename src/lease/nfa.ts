/** The automaton behind capability globs: construction helpers, set stepping, union, and a cached matcher. */

/** What a consuming edge accepts: one literal character, any character but `/`, or any character. */
export const EdgeKind = { Literal: 0, NotSlash: 1, Any: 2 } as const;
export type EdgeKind = (typeof EdgeKind)[keyof typeof EdgeKind];

export interface Edge {
  readonly kind: EdgeKind;
  /** The character for `Literal` edges; empty otherwise. */
  readonly ch: string;
  readonly to: number;
}

/** A non-deterministic automaton whose state sets are always kept ε-closed. */
export interface Nfa {
  readonly edges: readonly (readonly Edge[])[];
  /** ε-closure of each state, itself included, sorted ascending. */
  readonly closure: readonly (readonly number[])[];
  /** The ε-closed, sorted start set. */
  readonly start: readonly number[];
  readonly accepting: Uint8Array;
  /** States from which every continuation is accepted (an any-character loop that accepts). */
  readonly universal: Uint8Array;
}

/** Builds an NFA from state 0; `finish` computes closures and the accepting state. */
export class NfaBuilder {
  readonly #edges: Edge[][] = [[]];
  readonly #eps: number[][] = [[]];

  add(): number {
    this.#edges.push([]);
    this.#eps.push([]);
    return this.#edges.length - 1;
  }

  edge(from: number, kind: EdgeKind, ch: string, to: number): void {
    this.#edges[from]?.push({ kind, ch, to });
  }

  epsilon(from: number, to: number): void {
    this.#eps[from]?.push(to);
  }

  finish(accept: number): Nfa {
    const edges = this.#edges;
    const closure = this.#eps.map((_, s) => epsilonClosure(this.#eps, s));
    const accepting = new Uint8Array(edges.length);
    accepting[accept] = 1;
    const universal = new Uint8Array(edges.length);
    for (let s = 0; s < edges.length; s++) {
      const loops = edges[s]?.some((e) => e.kind === EdgeKind.Any && e.to === s) ?? false;
      if (loops && closure[s]?.some((t) => accepting[t] === 1)) universal[s] = 1;
    }
    return { edges, closure, start: closure[0] ?? [0], accepting, universal };
  }
}

function epsilonClosure(eps: readonly (readonly number[])[], from: number): number[] {
  const seen = new Set<number>([from]);
  const stack = [from];
  for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
    for (const t of eps[s] ?? []) {
      if (!seen.has(t)) {
        seen.add(t);
        stack.push(t);
      }
    }
  }
  return [...seen].sort((x, y) => x - y);
}

function edgeAccepts(edge: Edge, c: string): boolean {
  if (edge.kind === EdgeKind.Any) return true;
  if (edge.kind === EdgeKind.NotSlash) return c !== "/";
  return edge.ch === c;
}

/**
 * The ε-closed set reached from `states` on character `c`, sorted ascending. `mark` is scratch
 * space of the automaton's size, all zero on entry and on return.
 */
export function stepNfa(
  nfa: Nfa,
  states: readonly number[],
  c: string,
  mark: Uint8Array,
): number[] {
  const out: number[] = [];
  for (const s of states) {
    for (const e of nfa.edges[s] ?? []) {
      if (!edgeAccepts(e, c)) continue;
      for (const t of nfa.closure[e.to] ?? []) {
        if (mark[t] === 0) {
          mark[t] = 1;
          out.push(t);
        }
      }
    }
  }
  for (const t of out) mark[t] = 0;
  return out.sort((x, y) => x - y);
}

/** Whether the set holds a state that accepts every continuation. */
export function anyUniversal(nfa: Nfa, states: readonly number[]): boolean {
  for (const s of states) if (nfa.universal[s] === 1) return true;
  return false;
}

/** Whether any state of the set accepts. */
export function anyAccepting(nfa: Nfa, states: readonly number[]): boolean {
  for (const s of states) if (nfa.accepting[s] === 1) return true;
  return false;
}

/** One automaton accepting the union of the given languages (state ids offset per member). */
export function unionNfa(members: readonly Nfa[]): Nfa {
  const edges: Edge[][] = [];
  const closure: number[][] = [];
  const start: number[] = [];
  const flags: [number, number][] = [];
  for (const n of members) {
    const base = edges.length;
    for (let s = 0; s < n.edges.length; s++) {
      edges.push((n.edges[s] ?? []).map((e) => ({ kind: e.kind, ch: e.ch, to: e.to + base })));
      closure.push((n.closure[s] ?? []).map((t) => t + base));
      flags.push([n.accepting[s] ?? 0, n.universal[s] ?? 0]);
    }
    for (const s of n.start) start.push(s + base);
  }
  const accepting = Uint8Array.from(flags, ([a]) => a);
  const universal = Uint8Array.from(flags, ([, u]) => u);
  return { edges, closure, start: start.sort((x, y) => x - y), accepting, universal };
}

// Bounds on one matcher's cache; past them it keeps answering by stepping the NFA directly.
const MAX_DFA_STATES = 64;
const MAX_DFA_TRANSITIONS = 512;

interface DfaState {
  readonly states: readonly number[];
  readonly accepting: boolean;
  /** Cached successors; only interned states cache. */
  readonly next: Map<string, DfaState> | undefined;
}

/**
 * Matches whole strings against an NFA by subset simulation, caching the determinised states
 * and transitions it meets (a lazy DFA) so repeated checks cost one map lookup per character.
 */
export class NfaMatcher {
  readonly #nfa: Nfa;
  readonly #mark: Uint8Array;
  readonly #interned = new Map<string, DfaState>();
  readonly #start: DfaState;
  #transitions = 0;

  constructor(nfa: Nfa) {
    this.#nfa = nfa;
    this.#mark = new Uint8Array(nfa.edges.length);
    this.#start = this.#intern(nfa.start);
  }

  matches(target: string): boolean {
    let cur = this.#start;
    for (let i = 0; i < target.length; i++) {
      const c = target.charAt(i);
      let next = cur.next?.get(c);
      if (next === undefined) {
        next = this.#intern(stepNfa(this.#nfa, cur.states, c, this.#mark));
        if (cur.next !== undefined && next.next !== undefined) this.#cache(cur.next, c, next);
      }
      if (next.states.length === 0) return false;
      cur = next;
    }
    return cur.accepting;
  }

  #intern(states: readonly number[]): DfaState {
    const key = states.join(",");
    const known = this.#interned.get(key);
    if (known !== undefined) return known;
    const full = this.#interned.size >= MAX_DFA_STATES;
    const state = {
      states,
      accepting: anyAccepting(this.#nfa, states),
      next: full ? undefined : new Map<string, DfaState>(),
    };
    if (!full) this.#interned.set(key, state);
    return state;
  }

  #cache(next: Map<string, DfaState>, c: string, to: DfaState): void {
    if (this.#transitions >= MAX_DFA_TRANSITIONS) return;
    this.#transitions++;
    next.set(c, to);
  }
}
