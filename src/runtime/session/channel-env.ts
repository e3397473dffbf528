/** What a SessionChannel is made from: its stored state, and what every channel of a runtime shares. */
import type { EventStore } from "../../store/store.js";
import type { EventWriter } from "../event-writer.js";
import type { SessionChannel } from "./session-channel.js";

export interface ChannelLimits {
  /** Socket buffer above which frames are queued instead of written. */
  socketHighWaterBytes: number;
  /** In-memory backlog above which delivery switches to reading the store. */
  maxQueueBytes: number;
  /** Frames read from the store per page during catch-up and replay. */
  replayPageSize: number;
}

export interface ChannelHooks {
  now(): number;
  /** The undelivered backlog changed; the runtime applies back-pressure policy. */
  onBacklog(channel: SessionChannel, backlog: number): void;
  onStoreError(channel: SessionChannel, error: unknown): void;
}

/** What every channel of one runtime shares (one object, not four fields a channel). */
export interface ChannelEnv {
  writer: EventWriter;
  store: EventStore;
  limits: ChannelLimits;
  hooks: ChannelHooks;
}

export interface ChannelInit {
  id: string;
  principal: string;
  features: ReadonlySet<string>;
  origin: "arcp" | "arp";
  lastSeq: number;
  ackedSeq: number;
}
