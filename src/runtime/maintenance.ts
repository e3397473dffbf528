/**
 * Housekeeping (DESIGN-13, §6.5, §14): finished jobs leave listings after the retention period;
 * a session detached for longer than both its resume window and the job retention is deleted
 * with its log once none of its jobs is live (the own history of jobs still retained stays);
 * a session's log loses the prefix nobody can need any more; idle channels leave memory (they
 * are rebuilt from the store on demand), and a detached subscriber's subscriptions end with
 * its window.
 */
import type { Runtime } from "./runtime.js";
import type { SessionChannel } from "./session/session-channel.js";

const PAGE = 500;

export async function sweep(rt: Runtime): Promise<void> {
  const now = rt.clock.now();
  const { jobRetentionSec, resumeWindowSec } = rt.config;
  const prunedJobs = await rt.store.pruneJobs(now - jobRetentionSec * 1000);
  const ownersOfLive = new Set<string>();
  for (const job of rt.jobs.values()) ownersOfLive.add(job.owner.id);
  const cutoff = now - Math.max(resumeWindowSec, jobRetentionSec) * 1000;
  for (;;) {
    const stale = await rt.store.listDetachedSessions(cutoff, PAGE);
    const deletable = stale.filter(
      (s) => !ownersOfLive.has(s.id) && !rt.channels.get(s.id)?.attached,
    );
    for (const session of deletable) {
      for (const sub of rt.channels.get(session.id)?.subscriptions.values() ?? []) sub.close();
      rt.channels.delete(session.id);
      await rt.store.deleteSession(session.id);
    }
    if (stale.length < PAGE || deletable.length === 0) break;
  }
  await pruneLogs(rt, now, prunedJobs > 0);
  evictIdleChannels(rt, now - resumeWindowSec * 1000, ownersOfLive);
}

/** When a channel's log last reached a seq: every event up to `seq` is from `at` or before. */
interface Mark {
  at: number;
  seq: number;
}

interface LogState {
  marks: Mark[];
  prunedTo: number;
  /** The last prune stopped early at a retained job's history. */
  pinned: boolean;
}

const logStates = new WeakMap<SessionChannel, LogState>();

/**
 * Trim the log of every session in memory (the only logs that grow): the prefix its client
 * acknowledged (§6.5 lets acked events go early), or that is older than the retention every
 * session gets (the longer of the resume window and the job retention, as for a detached
 * session), never past what was handed to a transport. pruneEvents itself keeps the own
 * history of every job still retained, so subscribe-with-history, an idempotent resubmit and
 * the ARP event stream still find it; a resume from below the trimmed prefix is refused.
 */
async function pruneLogs(rt: Runtime, now: number, jobsPruned: boolean): Promise<void> {
  const keepMs = Math.max(rt.config.resumeWindowSec, rt.config.jobRetentionSec) * 1000;
  for (const channel of rt.channels.values()) {
    const state = stateOf(channel);
    const last = state.marks.at(-1);
    if (last === undefined || (channel.committedSeq > last.seq && now - last.at >= keepMs / 16))
      state.marks.push({ at: now, seq: channel.committedSeq });
    let aged = 0;
    while (state.marks.length > 0 && (state.marks[0] as Mark).at <= now - keepMs)
      aged = (state.marks.shift() as Mark).seq;
    const upto = Math.min(channel.deliveredSeq, Math.max(channel.ackedSeq, aged));
    // Again only when the bound moved, or when pruned jobs may have released a pinned prefix.
    if (upto <= 0 || (upto <= state.prunedTo && !(jobsPruned && state.pinned))) continue;
    state.prunedTo = upto;
    await rt.store.pruneEvents(channel.id, upto);
    const first = await rt.store.firstRetainedSeq(channel.id);
    state.pinned = first !== null && first <= upto;
  }
}

function stateOf(channel: SessionChannel): LogState {
  let state = logStates.get(channel);
  if (state === undefined) {
    state = { marks: [], prunedTo: 0, pinned: false };
    logStates.set(channel, state);
  }
  return state;
}

function evictIdleChannels(
  rt: Runtime,
  windowStart: number,
  ownersOfLive: ReadonlySet<string>,
): void {
  for (const [id, channel] of rt.channels) {
    if (channel.attached || channel.pendingInWriter > 0 || ownersOfLive.has(id)) continue;
    const detachedAt = rt.detachedAt(channel);
    if (channel.subscriptions.size > 0) {
      if (detachedAt === undefined || detachedAt > windowStart) continue;
      for (const sub of [...channel.subscriptions.values()]) sub.close();
    }
    rt.channels.delete(id);
  }
}

/** Runs `sweep` on a timer that never keeps the process alive. */
export class Maintenance {
  readonly #rt: Runtime;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = true;
      sweep(this.#rt)
        .catch((error: unknown) =>
          this.#rt.logger.error({ err: error }, "maintenance sweep failed"),
        )
        .finally(() => {
          this.#running = false;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }
}
