// Test oracle for DESIGN-7 globs, derived from the rule text rather than from src/lease/glob.ts:
// a whole-segment `**` stands for zero or more segments, so a pattern's language is the union,
// over every choice of globstar segments to drop, of the plain regex of what is left
// (kept globstars and any other `**` run are `.*`, a lone `*` is `[^/]*`, the rest literal).

const GLOBSTAR = /^\*{2,}$/;

function segmentRegex(seg: string): string {
  let out = "";
  for (let i = 0; i < seg.length; ) {
    if (seg[i] !== "*") {
      out += (seg[i] ?? "").replace(/[\\^$.|?*+()[\]{}/-]/g, "\\$&");
      i++;
      continue;
    }
    let end = i;
    while (seg[end] === "*") end++;
    out += end - i === 1 ? "[^/]*" : ".*";
    i = end;
  }
  return out;
}

function dropChoices(pattern: string): string[][] {
  const segs = pattern.split("/");
  const globstars = segs.flatMap((s, i) => (GLOBSTAR.test(s) ? [i] : []));
  const out: string[][] = [];
  for (let mask = 0; mask < 1 << globstars.length; mask++) {
    out.push(segs.filter((_, i) => !globstars.some((g, k) => g === i && (mask & (1 << k)) !== 0)));
  }
  return out;
}

/** Anchored regexes whose union is the pattern's language. */
export function referenceRegexes(pattern: string): RegExp[] {
  return dropChoices(pattern).map(
    (kept) =>
      new RegExp(
        `^${kept.map((s) => (GLOBSTAR.test(s) ? ".*" : segmentRegex(s))).join("/")}$`,
        "s",
      ),
  );
}

/** Whether the reference semantics say `pattern` matches `target`. */
export function referenceMatch(pattern: string, target: string): boolean {
  return referenceRegexes(pattern).some((re) => re.test(target));
}

/**
 * A string the pattern matches, built from `choices` (any integers): pick which globstars to
 * drop, then expand each wildcard to a short run over a small alphabet.
 */
export function samplePattern(pattern: string, choices: readonly number[]): string {
  let k = 0;
  const next = (n: number): number => Math.abs(choices[k++ % Math.max(choices.length, 1)] ?? 0) % n;
  const options = dropChoices(pattern);
  const kept = options[next(options.length)] ?? [];
  const run = (alphabet: string, max: number): string => {
    let s = "";
    for (let n = next(max + 1); n > 0; n--) s += alphabet[next(alphabet.length)];
    return s;
  };
  const expand = (seg: string): string => {
    if (GLOBSTAR.test(seg)) return run("ab./", 3);
    let out = "";
    for (let i = 0; i < seg.length; ) {
      if (seg[i] !== "*") {
        out += seg[i];
        i++;
        continue;
      }
      let end = i;
      while (seg[end] === "*") end++;
      out += end - i === 1 ? run("ab.", 2) : run("ab./", 3);
      i = end;
    }
    return out;
  };
  return kept.map(expand).join("/");
}
