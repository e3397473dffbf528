/**
 * Cost metrics (§9.6, DESIGN-10): a `cost.*` metric in a budgeted currency decrements the
 * counter exactly (micro-units), then the metric is emitted, then `cost.budget.remaining`.
 * A negative cost is refused and changes nothing.
 */
import { costToMicros, microsToNumber } from "../../lease/index.js";
import { ArcpError } from "../../protocol/errors.js";
import type { LiveJob } from "./live-job.js";

export async function emitMetric(job: LiveJob, body: Record<string, unknown>): Promise<void> {
  const name = body["name"] as string;
  const unit = body["unit"] as string | undefined;
  const budget = job.authority.budget;
  const isCost = name.startsWith("cost.") && name !== "cost.budget.remaining";
  if (!isCost || unit === undefined || budget === null || !budget.has(unit)) {
    return job.emit("metric", body);
  }
  let micros: bigint;
  try {
    micros = costToMicros(body["value"] as number);
  } catch (error) {
    throw ArcpError.from(error);
  }
  budget.charge(unit, micros);
  await job.emit("metric", body);
  const left = budget.remaining().get(unit) ?? 0n;
  return job.emit("metric", { name: "cost.budget.remaining", value: microsToNumber(left), unit });
}
