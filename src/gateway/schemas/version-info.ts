/** ARP v1 `VersionInfo` (common/version_info.schema.json), the body of `GET /v1/version`. */
import { z } from "zod";
import { DateTimeSchema, ExtensionsSchema } from "./common.js";

/** The closed `build` block of `VersionInfo`. */
export const VersionBuildSchema = z.strictObject({
  commit: z.string().optional(),
  built_at: DateTimeSchema.optional(),
  dirty: z.boolean().optional(),
});
export type VersionBuild = z.infer<typeof VersionBuildSchema>;

/** ARP `VersionInfo`: at least one supported API version (the conformance checker wants `"v1"`). */
export const VersionInfoSchema = z.strictObject({
  service_name: z.string(),
  service_version: z.string(),
  supported_api_versions: z.array(z.string()).min(1),
  build: VersionBuildSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type VersionInfo = z.infer<typeof VersionInfoSchema>;
