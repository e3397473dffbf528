/** Branded identifiers (§5): `msg_`, `sess_`, `job_` plus a monotonic ULID. */
import { monotonicUlid } from "./ulid.js";

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type MessageId = Brand<string, "MessageId">;
export type SessionId = Brand<string, "SessionId">;
export type JobId = Brand<string, "JobId">;
export type CredentialId = Brand<string, "CredentialId">;
export type ResultId = Brand<string, "ResultId">;

const ulid = monotonicUlid();

export const newMessageId = (): MessageId => `msg_${ulid()}` as MessageId;
export const newSessionId = (): SessionId => `sess_${ulid()}` as SessionId;
export const newJobId = (): JobId => `job_${ulid()}` as JobId;
export const newCredentialId = (): CredentialId => `cred_${ulid()}` as CredentialId;
export const newResultId = (): ResultId => `res_${ulid()}` as ResultId;

/** Accept an id read from the wire or the store. Only parsing code should call these. */
export const asSessionId = (value: string): SessionId => value as SessionId;
export const asJobId = (value: string): JobId => value as JobId;
export const asCredentialId = (value: string): CredentialId => value as CredentialId;
