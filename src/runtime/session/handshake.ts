/**
 * Opening and resuming sessions (§6.1–§6.3): authenticate the hello token, intersect features,
 * answer with session.welcome; on resume require the original principal, rotate the token,
 * and replay from the durable log (DESIGN-12).
 */
import { AuthError } from "../../auth/auth-error.js";
import type { Principal } from "../../auth/authenticator.js";
import { encodeEnvelope, type InboundEnvelope } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newMessageId, newSessionId } from "../../protocol/ids.js";
import type { SessionHelloPayload } from "../../protocol/messages/session.js";
import type { SessionRecord } from "../../store/store.js";
import type { Runtime } from "../runtime.js";
import type { Connection } from "./connection.js";
import { hashResumeToken, newResumeToken, resumeTokenMatches } from "./resume-token.js";

interface ResumeRequest {
  sessionId: string | undefined;
  token: string;
  lastEventSeq: number;
}

type HelloLike = Pick<SessionHelloPayload, "capabilities"> & {
  auth?: { token?: string | undefined } | undefined;
};

export async function handshake(
  rt: Runtime,
  conn: Connection,
  env: InboundEnvelope,
): Promise<void> {
  let hello: HelloLike;
  let resume: ResumeRequest | undefined;
  if (env.type === "session.hello") {
    hello = env.payload;
    const r = env.payload.resume;
    if (r !== undefined)
      resume = { sessionId: r.session_id, token: r.resume_token, lastEventSeq: r.last_event_seq };
  } else if (env.type === "session.resume") {
    hello = env.payload;
    const p = env.payload;
    resume = {
      sessionId: env.session_id ?? p.session_id,
      token: p.resume_token,
      lastEventSeq: p.last_event_seq,
    };
  } else {
    throw new ArcpError("INVALID_REQUEST", `expected session.hello, got ${env.type}`);
  }
  const principal = await authenticate(rt, conn, hello.auth?.token);
  // A client gone while it was authenticated (JWKS fetch, slow verifier) gets no session.
  if (principal === undefined || conn.closed) return;
  const features = negotiate(rt, conn, hello.capabilities?.features);
  if (resume === undefined) await openSession(rt, conn, principal.id, features);
  else await resumeSession(rt, conn, principal.id, features, resume);
}

async function authenticate(
  rt: Runtime,
  conn: Connection,
  token: string | undefined,
): Promise<Principal | undefined> {
  try {
    return await rt.authenticator.authenticate(token);
  } catch (error) {
    const message = error instanceof AuthError ? error.message : "authentication failed";
    await rt.store.appendAudit({
      ts: rt.clock.now(),
      kind: "auth_failure",
      principal: null,
      details: {
        transport: conn.transport.kind,
        address: conn.transport.peer.address ?? null,
        reason: message,
      },
    });
    rt.logger.warn({ transport: conn.transport.kind, reason: message }, "authentication failed");
    conn.sendError(new ArcpError("UNAUTHENTICATED", message));
    conn.close(1008, "unauthenticated");
    return undefined;
  }
}

/** The effective features: what the client asked for that this runtime offers here (§6.2). */
function negotiate(
  rt: Runtime,
  conn: Connection,
  requested: readonly string[] | undefined,
): ReadonlySet<string> {
  const offered = new Set<string>(rt.offeredFeatures(conn.transport));
  const out = new Set<string>();
  for (const f of requested ?? []) if (offered.has(f)) out.add(f);
  return rt.featureSet(out);
}

function checkSessionCap(rt: Runtime, principal: string): void {
  if (rt.connectionsOf(principal) >= rt.config.maxSessionsPerPrincipal) {
    throw new ArcpError(
      "INVALID_REQUEST",
      `principal has reached its cap of ${rt.config.maxSessionsPerPrincipal} sessions`,
      {
        retryable: true,
        details: { limit: rt.config.maxSessionsPerPrincipal },
      },
    );
  }
}

async function openSession(
  rt: Runtime,
  conn: Connection,
  principal: string,
  features: ReadonlySet<string>,
): Promise<void> {
  checkSessionCap(rt, principal);
  const token = newResumeToken();
  const record: SessionRecord = {
    id: newSessionId(),
    principal,
    resumeTokenHash: hashResumeToken(token),
    features: [...features],
    resumeWindowSec: rt.config.resumeWindowSec,
    createdAt: rt.clock.now(),
    detachedAt: null,
    lastSeq: 0,
    ackedSeq: 0,
    origin: "arcp",
  };
  await rt.store.createSession(record);
  if (conn.closed) {
    // Nobody ever received its token, so nothing could resume it: it goes at once.
    await rt.store.deleteSession(record.id);
    return;
  }
  const channel = rt.channelFor(record);
  sendWelcome(rt, conn, record.id, token, features);
  rt.bind(conn, channel, 0);
}

async function resumeSession(
  rt: Runtime,
  conn: Connection,
  principal: string,
  features: ReadonlySet<string>,
  req: ResumeRequest,
): Promise<void> {
  const expired = (why: string): never => {
    throw new ArcpError("RESUME_WINDOW_EXPIRED", why);
  };
  if (req.sessionId === undefined)
    throw new ArcpError("INVALID_REQUEST", "session.resume needs a session_id");
  const record = await rt.store.getSession(req.sessionId);
  // An unknown session, a foreign principal and a stale token all read the same (no oracle).
  if (record === undefined || record.origin !== "arcp" || record.principal !== principal) {
    expired("no resumable session for this token");
  }
  const session = record as SessionRecord;
  if (!resumeTokenMatches(req.token, session.resumeTokenHash))
    expired("no resumable session for this token");
  const now = rt.clock.now();
  if (session.detachedAt !== null && now - session.detachedAt > session.resumeWindowSec * 1000) {
    expired("the resume window has closed");
  }
  const channel = rt.channelFor(session);
  if (channel.logIncomplete) expired("this session's event log is incomplete; open a new session");
  if (req.lastEventSeq > channel.lastSeq)
    expired(`last_event_seq ${req.lastEventSeq} is ahead of the log`);
  if (req.lastEventSeq < channel.committedSeq) {
    const first = await rt.store.firstRetainedSeq(session.id);
    if (first === null || first > req.lastEventSeq + 1)
      expired("events after last_event_seq are no longer retained");
  }
  if (conn.closed) return;
  const token = newResumeToken();
  const nextHash = hashResumeToken(token);
  if (!(await rt.store.rotateResumeToken(session.id, session.resumeTokenHash, nextHash))) {
    expired("resume token already used");
  }
  if (conn.closed) {
    // The new token never left: put the old one back, so the client can still resume with it.
    await rt.store.rotateResumeToken(session.id, nextHash, session.resumeTokenHash);
    return;
  }
  session.resumeTokenHash = nextHash;
  rt.takeOver(channel);
  channel.features = features;
  sendWelcome(rt, conn, session.id, token, features);
  rt.bind(conn, channel, req.lastEventSeq);
}

function sendWelcome(
  rt: Runtime,
  conn: Connection,
  sessionId: string,
  token: string,
  features: ReadonlySet<string>,
): void {
  const payload: Record<string, unknown> = {
    runtime: { name: rt.config.runtimeName, version: rt.config.runtimeVersion },
    resume_token: token,
    resume_window_sec: rt.config.resumeWindowSec,
  };
  payload["heartbeat_interval_sec"] = rt.config.heartbeatIntervalSec;
  payload["capabilities"] = {
    encodings: ["json"],
    features: rt.config.features.filter((f) => features.has(f)),
    agents: rt.agents.inventory(),
  };
  conn.sendDirect(
    encodeEnvelope("session.welcome", { id: newMessageId(), session_id: sessionId }, payload),
  );
}
