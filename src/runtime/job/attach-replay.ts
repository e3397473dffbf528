/**
 * An idempotent resubmit (§7.2) must leave the client able to learn the job's outcome: a live
 * job's later events and terminal flow to a resubmitting session other than its own, and a
 * finished job's terminal is sent again, re-sequenced, to whichever session resubmitted — its
 * own included, since a new submit deserves its own answer (a client that resumed and resubmits
 * waits for one).
 */
import { isTerminal } from "../../protocol/job-state.js";
import type { EventRecord, JobRecord } from "../../store/store.js";
import type { Runtime } from "../runtime.js";
import type { SessionChannel } from "../session/session-channel.js";
import { Subscription } from "../subscriptions.js";

export async function attachReplay(
  rt: Runtime,
  channel: SessionChannel,
  record: JobRecord,
): Promise<void> {
  if (attachLive(rt, channel, record.id)) return;
  let terminal = await readTerminal(rt, record.id);
  if (terminal === undefined) {
    // The job has just ended: its terminal, and the record's final state, may still be waiting
    // for the group commit. Everything enqueued so far is durable once the writer is idle.
    await rt.writer.idle();
    if (attachLive(rt, channel, record.id)) return;
    terminal = await readTerminal(rt, record.id);
  }
  if (terminal === undefined) return;
  const sub = new Subscription(rt, channel, record, terminal.seq - 1);
  sub.replay([terminal]);
  sub.close();
}

/** Attach `channel` to the job if it is still running; true when nothing else is needed. */
function attachLive(rt: Runtime, channel: SessionChannel, jobId: string): boolean {
  const live = rt.jobs.get(jobId);
  if (live === undefined) return false;
  // The owner already receives every event; an existing subscriber does too.
  if (live.record.sessionId === channel.id || channel.subscriptions.has(jobId)) return true;
  const sub = new Subscription(rt, channel, live.record, live.record.lastEventSeq);
  channel.subscriptions.set(jobId, sub);
  live.listeners.set(sub.key, sub);
  sub.goLive();
  return true;
}

async function readTerminal(rt: Runtime, jobId: string): Promise<EventRecord | undefined> {
  const stored = await rt.store.getJob(jobId);
  // A terminal state commits with its terminal event, so lastEventSeq then points at it.
  if (stored === undefined || !isTerminal(stored.state)) return undefined;
  const [last] = await rt.store.readJobEvents(jobId, Math.max(0, stored.lastEventSeq - 1), 1);
  if (last === undefined || (last.type !== "job.result" && last.type !== "job.error"))
    return undefined;
  return last;
}
