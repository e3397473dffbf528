/**
 * Picking the credential provisioner (§9.8) from flags: `memory` (demos and tests), `litellm`
 * (virtual keys on a LiteLLM proxy) or `webhook` (any service speaking issue/revoke).
 */
import { type Command, Option } from "commander";
import { CredentialService } from "../credentials/credential-service.js";
import { LiteLlmProvisioner } from "../credentials/litellm-provisioner.js";
import { MemoryProvisioner } from "../credentials/memory-provisioner.js";
import type { CredentialProvisioner } from "../credentials/provisioner.js";
import { WebhookProvisioner } from "../credentials/webhook-provisioner.js";
import { ConfigError } from "../protocol/errors.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../store/store.js";
import { integerFlag } from "./flag-values.js";

export interface CredentialFlags {
  provisioner?: string;
  litellmUrl?: string;
  litellmMasterKey?: string;
  litellmPublicUrl?: string;
  provisionerWebhookUrl?: string;
  provisionerWebhookSecret?: string;
  revokeMaxAttempts?: string;
}

export function addCredentialOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--provisioner <kind>",
        "issue per-job credentials: memory | litellm | webhook",
      ).env("RUNPLANE_PROVISIONER"),
    )
    .addOption(
      new Option("--litellm-url <url>", "LiteLLM proxy admin URL").env("RUNPLANE_LITELLM_URL"),
    )
    .addOption(
      new Option("--litellm-master-key <key>", "LiteLLM master key").env(
        "RUNPLANE_LITELLM_MASTER_KEY",
      ),
    )
    .addOption(
      new Option("--litellm-public-url <url>", "URL agents use to reach LiteLLM").env(
        "RUNPLANE_LITELLM_PUBLIC_URL",
      ),
    )
    .addOption(
      new Option("--provisioner-webhook-url <url>", "base URL of a webhook provisioner").env(
        "RUNPLANE_PROVISIONER_WEBHOOK_URL",
      ),
    )
    .addOption(
      new Option("--provisioner-webhook-secret <secret>", "HMAC secret for webhook requests").env(
        "RUNPLANE_PROVISIONER_WEBHOOK_SECRET",
      ),
    )
    .addOption(
      new Option(
        "--revoke-max-attempts <n>",
        "revocation attempts before a credential is reported failed",
      ).env("RUNPLANE_REVOKE_MAX_ATTEMPTS"),
    );
}

/**
 * `--revoke-max-attempts` as a number, `undefined` for the default.
 * @throws ConfigError when it is not a whole number from 1 to 100.
 */
export function revokeMaxAttemptsOf(flags: CredentialFlags): number | undefined {
  return integerFlag(
    flags.revokeMaxAttempts,
    "--revoke-max-attempts / RUNPLANE_REVOKE_MAX_ATTEMPTS",
    {
      min: 1,
      max: 100,
    },
  );
}

function need(value: string | undefined, flag: string): string {
  if (value === undefined || value === "")
    throw new ConfigError(`${flag} is required with this --provisioner`);
  return value;
}

export function buildProvisioner(flags: CredentialFlags): CredentialProvisioner | undefined {
  switch (flags.provisioner) {
    case undefined:
    case "":
    case "none":
      return undefined;
    case "memory":
      return new MemoryProvisioner();
    case "litellm":
      return new LiteLlmProvisioner({
        baseUrl: need(flags.litellmUrl, "--litellm-url"),
        masterKey: need(flags.litellmMasterKey, "--litellm-master-key"),
        ...(flags.litellmPublicUrl === undefined ? {} : { publicUrl: flags.litellmPublicUrl }),
      });
    case "webhook":
      return new WebhookProvisioner({
        url: need(flags.provisionerWebhookUrl, "--provisioner-webhook-url"),
        ...(flags.provisionerWebhookSecret === undefined
          ? {}
          : { secret: flags.provisionerWebhookSecret }),
      });
    default:
      throw new ConfigError(
        `--provisioner must be memory, litellm or webhook, not "${flags.provisioner}"`,
      );
  }
}

export function buildCredentialService(
  provisioner: CredentialProvisioner | undefined,
  store: Store,
  logger: Logger,
  maxAttempts: number,
): CredentialService | undefined {
  if (provisioner === undefined) return undefined;
  return new CredentialService({
    ledger: store,
    provisioner,
    clock: { now: () => Date.now() },
    logger,
    retry: { baseMs: 500, maxMs: 5 * 60_000, maxAttempts },
  });
}
