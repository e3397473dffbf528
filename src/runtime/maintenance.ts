/**
 * Housekeeping (DESIGN-13, §6.5, §14): finished jobs leave listings after the retention period;
 * a session detached for longer than both its resume window and the job retention is deleted
 * with its log once none of its jobs is live; idle channels leave memory (they are rebuilt from
 * the store on demand), and a detached subscriber's subscriptions end with its window.
 */
import type { Runtime } from "./runtime.js";

const PAGE = 500;

export async function sweep(rt: Runtime): Promise<void> {
  const now = rt.clock.now();
  const { jobRetentionSec, resumeWindowSec } = rt.config;
  await rt.store.pruneJobs(now - jobRetentionSec * 1000);
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
  evictIdleChannels(rt, now - resumeWindowSec * 1000, ownersOfLive);
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
