/**
 * Heartbeats (§6.4): with `heartbeat` negotiated the runtime pings a session it has sent
 * nothing to for an interval, and after two intervals of silence from the client reports
 * HEARTBEAT_LOST and closes the transport. Jobs are never touched; the session stays resumable.
 * One sweeper serves every connection, so an idle session costs no timer of its own; it also
 * closes stalled consumers (back-pressure.ts).
 */
import { encodeEnvelope } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newMessageId } from "../../protocol/ids.js";
import { isoTime } from "../clock.js";
import type { Runtime } from "../runtime.js";
import { closeIfStalled } from "./back-pressure.js";

export class HeartbeatMonitor {
  readonly #rt: Runtime;
  #timer: NodeJS.Timeout | undefined;

  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  start(): void {
    const intervalMs = this.#rt.config.heartbeatIntervalSec * 1000;
    const tick = Math.max(50, Math.min(1000, Math.floor(intervalMs / 4)));
    this.#timer = setInterval(() => this.sweep(), tick);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass over the connections; exposed so tests with a fake clock can drive it. */
  sweep(): void {
    const rt = this.#rt;
    const now = rt.clock.now();
    const intervalMs = rt.config.heartbeatIntervalSec * 1000;
    for (const conn of rt.connections) {
      const channel = conn.channel;
      if (channel === null || conn.closed || rt.connectionOf(channel) !== conn) continue;
      closeIfStalled(rt, channel, now);
      if (!channel.features.has("heartbeat")) continue;
      if (now - conn.lastInboundAt > 2 * intervalMs) {
        rt.logger.info({ session: channel.id }, "heartbeat lost; closing transport, jobs continue");
        conn.sendError(
          new ArcpError("HEARTBEAT_LOST", "no message from the client for two heartbeat intervals"),
        );
        conn.close(4001, "heartbeat lost");
      } else if (now - channel.lastOutboundAt >= intervalMs) {
        const payload = { nonce: `p_${newMessageId().slice(4)}`, sent_at: isoTime(now) };
        channel.lastOutboundAt = now;
        conn.send(
          encodeEnvelope("session.ping", { id: newMessageId(), session_id: channel.id }, payload),
        );
      }
    }
  }
}
