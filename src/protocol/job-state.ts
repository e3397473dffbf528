/**
 * Job lifecycle (§7.3) as data.
 *
 *   pending ──► running ──► success | error | cancelled | timed_out
 *      └───────────────────► error | cancelled | timed_out
 */

export const JOB_STATES = [
  "pending",
  "running",
  "success",
  "error",
  "cancelled",
  "timed_out",
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_JOB_STATES = ["success", "error", "cancelled", "timed_out"] as const;
export type TerminalJobState = (typeof TERMINAL_JOB_STATES)[number];

const TERMINAL: ReadonlySet<JobState> = new Set(TERMINAL_JOB_STATES);

export const JOB_TRANSITIONS = {
  pending: new Set<JobState>(["running", "error", "cancelled", "timed_out"]),
  running: new Set<JobState>(["success", "error", "cancelled", "timed_out"]),
  success: new Set<JobState>(),
  error: new Set<JobState>(),
  cancelled: new Set<JobState>(),
  timed_out: new Set<JobState>(),
} as const satisfies Record<JobState, ReadonlySet<JobState>>;

export function isTerminal(state: JobState): state is TerminalJobState {
  return TERMINAL.has(state);
}

export function canTransition(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].has(to);
}

export class JobTransitionError extends Error {
  constructor(
    readonly from: JobState,
    readonly to: JobState,
  ) {
    super(`job cannot move from ${from} to ${to}`);
    this.name = "JobTransitionError";
  }
}

/** Throws unless `from → to` is in the table. */
export function assertTransition(from: JobState, to: JobState): void {
  if (!canTransition(from, to)) throw new JobTransitionError(from, to);
}
