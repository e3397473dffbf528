/** ARP v1 building blocks: Extensions, free objects, date-times, Status, ResourceRef, Metadata. */
import { z } from "zod";

/**
 * Key rule of the spec's `Extensions` map (common/extensions.schema.json): namespaced as
 * `<reverse_dns_or_org>.<key>`, so every key holds at least one dot after its first character.
 */
export const EXTENSION_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.[A-Za-z0-9_.-]+$/;

/** Message given for a key that breaks {@link EXTENSION_KEY_PATTERN}. */
export const EXTENSION_KEY_MESSAGE = "extension keys must be namespaced, like 'org.key'";

/** ARP `Extensions`: a closed map whose every key is namespaced; values are unconstrained. */
export const ExtensionsSchema = z.record(
  z.string().regex(EXTENSION_KEY_PATTERN, { error: EXTENSION_KEY_MESSAGE }),
  z.unknown(),
);
export type Extensions = z.infer<typeof ExtensionsSchema>;

/** A JSON object with any members (`type: object, additionalProperties: true`); never an array or null. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/**
 * An RFC 3339 date-time with seconds and a mandatory offset (`Z` or `±hh:mm`), as the ARP
 * schemas' `format: date-time` asks; `Date.prototype.toISOString()` output always fits.
 */
export const DateTimeSchema = z.iso.datetime({ offset: true });
export type DateTime = z.infer<typeof DateTimeSchema>;

/** ARP `Status` (common/status.schema.json). */
export const STATUSES = ["ok", "degraded", "down"] as const;
export const StatusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof StatusSchema>;

/** ARP `ResourceRef` (common/resource_ref.schema.json): a typed pointer such as a run's actor. */
export const ResourceRefSchema = z.strictObject({
  type: z.string(),
  id: z.string(),
  uri: z.url().optional(),
  extensions: ExtensionsSchema.optional(),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

/** ARP `Metadata` (common/metadata.schema.json): string labels and annotations. */
export const MetadataSchema = z.strictObject({
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  extensions: ExtensionsSchema.optional(),
});
export type Metadata = z.infer<typeof MetadataSchema>;
