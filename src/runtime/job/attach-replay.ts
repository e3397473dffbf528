/**
 * An idempotent resubmit from another session (§7.2) must leave the client able to learn the
 * job's outcome: a live job's later events and terminal flow to the resubmitting session too,
 * and a finished job's terminal is sent to it, re-sequenced into its own event_seq space.
 */
import type { JobRecord } from "../../store/store.js";
import type { Runtime } from "../runtime.js";
import type { SessionChannel } from "../session/session-channel.js";
import { Subscription } from "../subscriptions.js";

export async function attachReplay(
  rt: Runtime,
  channel: SessionChannel,
  record: JobRecord,
): Promise<void> {
  if (record.sessionId === channel.id || channel.subscriptions.has(record.id)) return;
  const live = rt.jobs.get(record.id);
  if (live !== undefined) {
    const sub = new Subscription(rt, channel, record, live.record.lastEventSeq);
    channel.subscriptions.set(record.id, sub);
    live.listeners.set(sub.key, sub);
    sub.goLive();
    return;
  }
  const before = Math.max(0, record.lastEventSeq - 1);
  const [terminal] = await rt.store.readJobEvents(record.id, before, 1);
  if (terminal === undefined || (terminal.type !== "job.result" && terminal.type !== "job.error"))
    return;
  const sub = new Subscription(rt, channel, record, before);
  sub.replay([terminal]);
  sub.close();
}
