/** Routing of messages on an open session (§6, §7), with the feature gate of §6.2 / DESIGN-26. */
import { encodeEnvelope, type InboundEnvelope } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newMessageId } from "../../protocol/ids.js";
import { isoTime } from "../clock.js";
import { handleCancel } from "../job/cancel.js";
import { handleSubmit } from "../job/submit.js";
import { handleListJobs } from "../listing.js";
import type { Runtime } from "../runtime.js";
import { handleSubscribe, handleUnsubscribe } from "../subscriptions.js";
import type { Connection } from "./connection.js";

const FEATURE_OF: Partial<Record<InboundEnvelope["type"], string>> = {
  "session.ack": "ack",
  "session.list_jobs": "list_jobs",
  "job.subscribe": "subscribe",
  "job.unsubscribe": "subscribe",
};

export async function dispatchMessage(
  rt: Runtime,
  conn: Connection,
  env: InboundEnvelope,
): Promise<void> {
  const channel = conn.channel;
  if (channel === null) return;
  const feature = FEATURE_OF[env.type];
  if (feature !== undefined && !channel.features.has(feature)) {
    throw new ArcpError(
      "INVALID_REQUEST",
      `${env.type} needs the "${feature}" feature, which this session did not negotiate`,
    );
  }
  switch (env.type) {
    case "session.hello":
    case "session.resume":
      throw new ArcpError("INVALID_REQUEST", "session already open");
    case "session.ping":
      conn.send(
        encodeEnvelope(
          "session.pong",
          { id: newMessageId(), session_id: channel.id },
          { ping_nonce: env.payload.nonce, received_at: isoTime(rt.clock.now()) },
        ),
      );
      return;
    case "session.pong":
      return;
    case "session.ack":
      if (
        env.payload.last_processed_seq > channel.ackedSeq &&
        env.payload.last_processed_seq <= channel.lastSeq
      ) {
        channel.ackedSeq = env.payload.last_processed_seq;
        await rt.store.setSessionAcked(channel.id, channel.ackedSeq);
      }
      return;
    case "session.bye":
      conn.close(1000, "bye");
      return;
    case "session.close":
      conn.send(
        encodeEnvelope(
          "session.closed",
          { id: newMessageId(), session_id: channel.id },
          closedPayload(env.payload.reason),
        ),
      );
      conn.close(1000, "closed");
      return;
    case "session.list_jobs":
      return handleListJobs(rt, conn, env);
    case "job.submit":
      return handleSubmit(rt, conn, env);
    case "job.cancel":
      return handleCancel(rt, conn, env);
    case "job.subscribe":
      return handleSubscribe(rt, conn, env);
    case "job.unsubscribe":
      return handleUnsubscribe(conn, env);
  }
}

function closedPayload(reason: string | undefined): Record<string, unknown> {
  return reason === undefined ? {} : { reason };
}
