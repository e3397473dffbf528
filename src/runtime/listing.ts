/**
 * `session.list_jobs` (§6.6): a read-only, paged inventory of the jobs the caller's principal
 * may observe, from every one of its sessions; terminal jobs stay listed for the retention
 * period. Listing subscribes to nothing.
 */
import { encodeEnvelope, type InboundEnvelope } from "../protocol/envelope.js";
import { ArcpError } from "../protocol/errors.js";
import { newMessageId } from "../protocol/ids.js";
import type { JobListEntry } from "../protocol/messages/session.js";
import type { JobRecord } from "../store/store.js";
import { isoTime } from "./clock.js";
import { credentialsFor } from "./job/credentials-view.js";
import type { Runtime } from "./runtime.js";
import type { Connection } from "./session/connection.js";
import type { SessionChannel } from "./session/session-channel.js";
import { listablePrincipals } from "./visibility.js";

type ListEnvelope = Extract<InboundEnvelope, { type: "session.list_jobs" }>;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function parseTime(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ArcpError("INVALID_REQUEST", `filter.${field}: not an ISO 8601 time`);
  return ms;
}

export async function handleListJobs(
  rt: Runtime,
  conn: Connection,
  env: ListEnvelope,
): Promise<void> {
  const channel = conn.channel as SessionChannel;
  const { filter = {}, limit, cursor } = env.payload;
  const principals = listablePrincipals(rt, channel.principal);
  const createdAfter = parseTime("created_after", filter.created_after);
  const createdBefore = parseTime("created_before", filter.created_before);
  const page = await rt.store.listJobs({
    ...(principals === undefined ? {} : { principals }),
    ...(filter.status === undefined ? {} : { states: filter.status }),
    ...(filter.agent === undefined ? {} : { agent: filter.agent }),
    ...(createdAfter === undefined ? {} : { createdAfter }),
    ...(createdBefore === undefined ? {} : { createdBefore }),
    limit: Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT),
    ...(cursor === undefined || cursor === null ? {} : { cursor }),
  });
  const jobs = page.jobs.map((record) => listEntry(rt, channel, record));
  conn.send(
    encodeEnvelope(
      "session.jobs",
      { id: newMessageId(), session_id: channel.id },
      { request_id: env.id, jobs, next_cursor: page.nextCursor },
    ),
  );
}

/** One listing entry; live jobs show their in-memory state, which may be ahead of the store. */
function listEntry(rt: Runtime, channel: SessionChannel, stored: JobRecord): JobListEntry {
  const live = rt.jobs.get(stored.id);
  const record = live?.record ?? stored;
  const entry: JobListEntry & { credentials?: unknown } = {
    job_id: record.id,
    agent: record.agent,
    status: record.state,
    lease: record.lease,
    parent_job_id: record.parentJobId,
    created_at: isoTime(record.createdAt),
    trace_id: record.traceId,
    last_event_seq: record.lastEventSeq,
  };
  const credentials = live === undefined ? undefined : credentialsFor(live, channel);
  if (credentials !== undefined) entry.credentials = credentials;
  return entry;
}
