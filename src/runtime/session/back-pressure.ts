/**
 * Slow consumers (§6.5, DESIGN-16): past a backlog threshold the session gets a `status`
 * event `phase: "back_pressure"` on its newest live job; a consumer whose backlog passes the
 * hard bound and that has stopped making progress is closed cleanly. Memory is bounded either
 * way (the backlog lives in the store); its jobs keep running and it resumes from the log.
 */
import type { Runtime } from "../runtime.js";
import type { SessionChannel } from "./session-channel.js";

export function onBacklog(rt: Runtime, channel: SessionChannel, backlog: number): void {
  const { backPressureEvents } = rt.config;
  if (!channel.backPressureSignalled && backlog > backPressureEvents && channel.attached) {
    const newest = rt.jobsOwnedBy(channel).at(-1);
    if (newest === undefined) return;
    channel.backPressureSignalled = true;
    void newest.emit("status", {
      phase: "back_pressure",
      message: `event_seq lag ${backlog} exceeds ${backPressureEvents}`,
    });
  } else if (channel.backPressureSignalled && backlog < backPressureEvents / 2) {
    channel.backPressureSignalled = false;
  }
}

/** Close a consumer that is far behind and has not advanced for the stall period. */
export function closeIfStalled(rt: Runtime, channel: SessionChannel, now: number): void {
  if (channel.backlog <= rt.config.maxBacklogEvents) return;
  if (now - channel.lastProgressAt < rt.config.consumerStallSec * 1000) return;
  const conn = rt.connectionOf(channel);
  if (conn === undefined || conn.closed) return;
  rt.logger.warn(
    { session: channel.id, backlog: channel.backlog },
    "consumer stalled; closing transport, session stays resumable",
  );
  conn.close(1013, "consumer too slow; resume to continue");
}
