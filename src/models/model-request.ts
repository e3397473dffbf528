/** Validation of an agent's model request (§9.7) and its reduction to chat messages. */
import { z } from "zod";
import type { ModelRequest } from "../agents/agent.js";
import { describeIssues } from "../protocol/envelope.js";
import { ArcpError } from "../protocol/errors.js";

const ChatMessageSchema = z.object({ role: z.string().min(1), content: z.string() });

const ModelRequestSchema = z
  .looseObject({
    prompt: z.string().optional(),
    messages: z.array(ChatMessageSchema).min(1).optional(),
    max_tokens: z.number().int().positive().optional(),
  })
  .refine((r) => r.prompt !== undefined || r.messages !== undefined, {
    message: "a model request needs a prompt or messages",
  });

export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** A model request reduced to what every adapter needs. */
export interface NormalizedModelRequest {
  /** `messages` as given, then `prompt` (when present) as a last user message. */
  messages: ChatMessage[];
  maxTokens: number | undefined;
}

/**
 * Validate `request` and reduce it to chat messages.
 *
 * @throws ArcpError `INVALID_REQUEST` naming the offending field.
 */
export function normalizeModelRequest(request: ModelRequest): NormalizedModelRequest {
  const parsed = ModelRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new ArcpError(
      "INVALID_REQUEST",
      `invalid model request: ${describeIssues(parsed.error.issues, "request")}`,
    );
  }
  const { prompt, messages, max_tokens } = parsed.data;
  return {
    messages: [
      ...(messages ?? []),
      ...(prompt === undefined ? [] : [{ role: "user", content: prompt }]),
    ],
    maxTokens: max_tokens,
  };
}
