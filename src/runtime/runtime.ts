/**
 * The runtime: composes the ports (store, authenticator, agents, clock, logger) into sessions
 * and jobs. Transports hand it connections; it never knows which adapters it was given.
 */
import type { AgentRegistry } from "../agents/registry.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { CredentialService } from "../credentials/credential-service.js";
import { encodeEnvelope, type InboundEnvelope } from "../protocol/envelope.js";
import { ArcpError } from "../protocol/errors.js";
import { newMessageId } from "../protocol/ids.js";
import type { Feature } from "../protocol/messages/session.js";
import type { SessionRecord, Store } from "../store/store.js";
import type { Transport } from "../transport/transport.js";
import { type Clock, systemClock } from "./clock.js";
import { type RuntimeConfig, resolveConfig } from "./config.js";
import { EventWriter, type RefusedPart } from "./event-writer.js";
import type { OperationRunner } from "./job/job-host.js";
import { JobKeys } from "./job/job-keys.js";
import { shutdownJobs } from "./job/lifecycle.js";
import type { LiveJob } from "./job/live-job.js";
import type { JobOutcome } from "./job/outcome.js";
import { type Logger, silentLogger } from "./logger.js";
import { Maintenance, sweep } from "./maintenance.js";
import { detachOrphanedSessions, recoverInterruptedJobs } from "./recovery.js";
import { onBacklog } from "./session/back-pressure.js";
import { Connection, type ConnectionHost } from "./session/connection.js";
import { dispatchMessage } from "./session/dispatch.js";
import { handshake } from "./session/handshake.js";
import { HeartbeatMonitor } from "./session/heartbeat.js";
import { hashResumeToken, newResumeToken } from "./session/resume-token.js";
import { type ChannelEnv, SessionChannel } from "./session/session-channel.js";

const refuseOperations: OperationRunner = (_job, request) =>
  Promise.reject(
    new ArcpError("PERMISSION_DENIED", `${request.op} is not available in this runtime`),
  );

export interface RuntimeDeps {
  store: Store;
  authenticator: Authenticator;
  agents: AgentRegistry;
  config?: Partial<RuntimeConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Provisioned credentials (§9.8); offered only when configured. */
  credentials?: CredentialService;
  /** Builds the runner of mediated operations (§9.3); without one every operation is refused. */
  operations?: (rt: Runtime) => OperationRunner;
}

export class Runtime {
  readonly config: RuntimeConfig;
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly agents: AgentRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly writer: EventWriter;
  readonly channels = new Map<string, SessionChannel>();
  readonly connections = new Set<Connection>();
  readonly jobs = new Map<string, LiveJob>();
  readonly jobKeys = new JobKeys();
  /** Duties run once per job after its terminal (credential revocation, ARP bookkeeping). */
  readonly jobEndHooks: ((job: LiveJob, outcome: JobOutcome) => void)[] = [];
  readonly operations: OperationRunner;
  readonly #perPrincipal = new Map<string, number>();
  readonly #heartbeats: HeartbeatMonitor;
  readonly #maintenance: Maintenance;
  /** When each channel's transport last went away (for window-bound housekeeping). */
  readonly #detachedAt = new WeakMap<SessionChannel, number>();
  readonly credentials: CredentialService | undefined;
  /** Shared by every connection and channel: an idle session holds no closures of its own. */
  readonly #connectionHost: ConnectionHost;
  readonly #channelEnv: ChannelEnv;
  /** Effective feature sets, one instance per distinct set (there are few, and none mutates). */
  readonly #featureSets = new Map<string, ReadonlySet<string>>();
  #stopping = false;

  constructor(deps: RuntimeDeps) {
    this.config = resolveConfig(deps.config);
    this.store = deps.store;
    this.authenticator = deps.authenticator;
    this.agents = deps.agents;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.credentials = deps.credentials;
    if (this.credentials !== undefined) {
      const service = this.credentials;
      this.jobEndHooks.push((job) => {
        if (job.credentialsIssued) {
          void service.revokeForJob(job.id).catch((error: unknown) => {
            this.logger.error({ err: error, job: job.id }, "credential revocation could not start");
          });
        }
      });
    }
    this.operations = deps.operations?.(this) ?? refuseOperations;
    this.writer = new EventWriter(this.store, {
      highWater: this.config.writerHighWater,
      onError: (error, attempt) =>
        this.logger.error({ err: error, attempt }, "event log append failed; retrying"),
      onRefused: (error, part) => this.#onLogRefused(error, part),
    });
    this.#heartbeats = new HeartbeatMonitor(this);
    this.#maintenance = new Maintenance(this);
    this.#connectionHost = {
      maxMessageBytes: this.config.maxMessageBytes,
      now: () => this.clock.now(),
      handshake: (c, env) => handshake(this, c, env),
      dispatch: (c, env: InboundEnvelope) => dispatchMessage(this, c, env),
      onClosed: (c) => this.#onClosed(c),
      onFault: (c, error) =>
        this.logger.error({ err: error, session: c.channel?.id }, "handling a frame failed"),
    };
    this.#channelEnv = {
      writer: this.writer,
      store: this.store,
      limits: {
        socketHighWaterBytes: this.config.socketHighWaterBytes,
        maxQueueBytes: this.config.maxQueueBytes,
        replayPageSize: this.config.replayPageSize,
      },
      hooks: {
        now: () => this.clock.now(),
        onBacklog: (ch, backlog) => onBacklog(this, ch, backlog),
        onStoreError: (ch, error) => {
          this.logger.error({ err: error, session: ch.id }, "replay from the event log failed");
          this.connectionOf(ch)?.close(1011, "event log unavailable");
        },
      },
    };
  }

  /** Recover what a crash interrupted, then start background duties. */
  async start(): Promise<void> {
    await detachOrphanedSessions(this);
    await recoverInterruptedJobs(this);
    // After a restart every job is dead: whatever the ledger still holds live is revoked,
    // continuing the retry count of the previous process (§14 revocation reliability).
    if (this.credentials !== undefined) await this.credentials.resumeOutstanding();
    this.#heartbeats.start();
    this.#maintenance.start(Math.min(60_000, Math.max(1000, this.config.jobRetentionSec * 250)));
  }

  /** One housekeeping pass now (it also runs on a timer). */
  sweep(): Promise<void> {
    return sweep(this);
  }

  detachedAt(channel: SessionChannel): number | undefined {
    return this.#detachedAt.get(channel);
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Serve ARCP over a freshly connected transport. */
  accept(transport: Transport): Connection {
    const conn = new Connection(transport, this.#connectionHost);
    this.connections.add(conn);
    if (this.#stopping) conn.close(1001, "runtime shutting down");
    return conn;
  }

  /** Features this runtime can offer on `transport` (§6.2, §9.8, DESIGN-23). */
  offeredFeatures(transport: Transport): Feature[] {
    return this.config.features.filter(
      (f) =>
        f !== "provisioned_credentials" ||
        (this.credentials !== undefined && transport.peer.confidential),
    );
  }

  /**
   * The one shared instance of a feature set (sessions negotiate from a handful of features, so
   * there are few distinct sets). Callers must not mutate what they are given.
   */
  featureSet(features: Iterable<string>): ReadonlySet<string> {
    const sorted = [...new Set(features)].sort();
    const key = sorted.join(" ");
    let set = this.#featureSets.get(key);
    if (set === undefined) {
      set = new Set(sorted);
      // A store holding odd feature lists must not grow this without bound.
      if (this.#featureSets.size < 256) this.#featureSets.set(key, set);
    }
    return set;
  }

  connectionsOf(principal: string): number {
    return this.#perPrincipal.get(principal) ?? 0;
  }

  /** The in-memory channel of a stored session, created on first use. */
  channelFor(record: SessionRecord): SessionChannel {
    let channel = this.channels.get(record.id);
    if (channel === undefined) {
      channel = new SessionChannel(
        {
          id: record.id,
          principal: record.principal,
          features: this.featureSet(record.features),
          origin: record.origin,
          lastSeq: record.lastSeq,
          ackedSeq: record.ackedSeq,
        },
        this.#channelEnv,
      );
      this.channels.set(record.id, channel);
    }
    return channel;
  }

  connectionOf(channel: SessionChannel): Connection | undefined {
    return channel.boundConnection;
  }

  /** Detach whatever connection currently serves `channel` (a resume elsewhere wins). */
  takeOver(channel: SessionChannel): void {
    const previous = channel.boundConnection;
    if (previous === undefined) return;
    this.#unbind(previous);
    previous.close(4000, "session resumed on another connection");
  }

  /**
   * Attach `conn` to `channel`. A connection that closed meanwhile (its close handler already
   * ran, so nothing would ever unbind it) is not bound: the session is recorded detached.
   */
  bind(conn: Connection, channel: SessionChannel, fromSeq: number): void {
    if (conn.closed) {
      this.#detachedAt.set(channel, this.clock.now());
      this.#recordDetached(channel, this.clock.now());
      return;
    }
    conn.channel = channel;
    conn.adoptPendingSubmits(channel);
    channel.boundConnection = conn;
    this.#perPrincipal.set(channel.principal, this.connectionsOf(channel.principal) + 1);
    channel.attach(conn.transport, fromSeq);
    this.#recordDetached(channel, null);
  }

  #recordDetached(channel: SessionChannel, at: number | null): void {
    this.store.setSessionDetached(channel.id, at).catch((error: unknown) => {
      this.logger.error({ err: error, session: channel.id }, "recording the session state failed");
    });
  }

  #unbind(conn: Connection): void {
    const channel = conn.channel;
    if (channel === null || channel.boundConnection !== conn) return;
    channel.boundConnection = undefined;
    channel.detach();
    this.#detachedAt.set(channel, this.clock.now());
    const principal = channel.principal;
    const left = this.connectionsOf(principal) - 1;
    if (left > 0) this.#perPrincipal.set(principal, left);
    else this.#perPrincipal.delete(principal);
    this.#recordDetached(channel, this.clock.now());
  }

  #onClosed(conn: Connection): void {
    this.connections.delete(conn);
    this.#unbind(conn);
  }

  /**
   * The store refused a session's part of a group commit for its content (a bug or a damaged
   * database, never load): those seqs will never exist, so the session cannot be replayed or
   * resumed. Its client is told and disconnected, its jobs whose rows were lost are ended, and
   * every other session carries on. Its other jobs keep running, observable from a new session.
   */
  #onLogRefused(error: unknown, part: RefusedPart): void {
    this.logger.error(
      { err: error, session: part.session, jobs: part.jobs },
      "the event log refused a batch; its writes were dropped",
    );
    for (const id of part.jobs) {
      this.jobs.get(id)?.finish({
        kind: "error",
        error: new ArcpError("INTERNAL_ERROR", "the job could not be recorded"),
        finalStatus: "error",
      });
    }
    // State changes of jobs stored earlier went down with the part; a terminal one lost would
    // leave the row `running` forever (listed, never pruned). They are applied on their own.
    const lost = new Set(part.jobs);
    for (const t of part.transitions) {
      if (lost.has(t.id)) continue;
      this.store.transitionJob(t.id, t.from, t.to, t.patch).catch((again: unknown) => {
        this.logger.error({ err: again, job: t.id }, "recording the job's state failed");
      });
    }
    if (part.session !== null) this.#shutResume(part.session);
    const channel = part.session === null ? undefined : this.channels.get(part.session);
    if (channel === undefined) return;
    channel.logIncomplete = true;
    const conn = channel.boundConnection;
    if (conn === undefined) return;
    const refusal = new ArcpError("INTERNAL_ERROR", "the session's events could not be recorded");
    conn.sendDirect(
      encodeEnvelope(
        "session.error",
        { id: newMessageId(), session_id: channel.id },
        refusal.toPayload(),
      ),
    );
    conn.close(1011, "event log refused the session's events");
  }

  /**
   * Make a session with a hole in its log unresumable for good, across restarts too: its
   * resume token is replaced by one nobody holds.
   */
  #shutResume(sessionId: string): void {
    const shut = async (): Promise<void> => {
      const session = await this.store.getSession(sessionId);
      if (session === undefined) return;
      const nobodys = hashResumeToken(newResumeToken());
      await this.store.rotateResumeToken(sessionId, session.resumeTokenHash, nobodys);
    };
    shut().catch((error: unknown) => {
      this.logger.error({ err: error, session: sessionId }, "shutting the session failed");
    });
  }

  /** Live jobs submitted in `channel`'s session, oldest first. */
  jobsOwnedBy(channel: SessionChannel): LiveJob[] {
    const out: LiveJob[] = [];
    for (const job of this.jobs.values()) if (job.owner === channel) out.push(job);
    return out;
  }

  /** Stop accepting, end live jobs as retryable INTERNAL_ERROR, flush the log. */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#heartbeats.stop();
    this.#maintenance.stop();
    shutdownJobs(this);
    await this.writer.idle();
    if (this.credentials !== undefined) {
      // Give revocations a moment; whatever is unfinished resumes from the ledger next start.
      await Promise.race([
        this.credentials.idle(),
        new Promise((r) => setTimeout(r, 3000).unref()),
      ]);
    }
    for (const conn of this.connections) conn.close(1001, "runtime shutting down");
  }
}
