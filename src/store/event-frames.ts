/** A replay-only read of the event log (§6.3, §8.3), offered by the memory and SQLite stores. */

/** Encoded envelopes of one page, and the seq of the last one (afterSeq when the page is empty). */
export interface EventFramesPage {
  frames: string[];
  lastSeq: number;
}

/**
 * Resume replay needs only the encoded envelopes, never the other EventRecord fields, and
 * reading just those is about twice as fast on SQLite (bench/store-append.ts). Proposed as
 * an addition to the EventStore port.
 */
export interface EventFrameReader {
  /** Frames of a session's events with seq > afterSeq, ascending, at most `limit`. */
  readEventFrames(sessionId: string, afterSeq: number, limit: number): Promise<EventFramesPage>;
}
