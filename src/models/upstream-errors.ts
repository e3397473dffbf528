/**
 * Translation of OpenAI-compatible and LiteLLM error answers into §12 codes (§9.6: upstream
 * budget refusals surface as `BUDGET_EXHAUSTED`). The upstream's own message is matched but
 * never repeated: it can quote key material.
 */
import { ArcpError } from "../protocol/errors.js";

interface UpstreamErrorBody {
  message: string;
  type: string | undefined;
}

/** LiteLLM `budget_exceeded` messages, its older phrasings, and OpenAI's quota refusal. */
const BUDGET_PATTERN =
  /budget[_ ]exceeded|budget has been exceeded|exceeded (the )?budget|over budget|exceededbudget|insufficient_quota/i;
/** LiteLLM's `key_model_access_denied` / `team_model_access_denied` and similar phrasings. */
const MODEL_REFUSAL_PATTERN =
  /model_access_denied|not allowed to (access|use)|can only access models|access to (this )?model/i;
const SAFE_TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

function parseBody(text: string): UpstreamErrorBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 4096), type: undefined };
  }
  const error = (value as { error?: unknown } | null)?.error;
  if (typeof error === "string") return { message: error, type: undefined };
  if (typeof error === "object" && error !== null) {
    const { message, type } = error as { message?: unknown; type?: unknown };
    return {
      message: typeof message === "string" ? message : "",
      type: typeof type === "string" ? type : undefined,
    };
  }
  return { message: text.slice(0, 4096), type: undefined };
}

/**
 * The `ArcpError` for a non-2xx answer to a call for `model`: `BUDGET_EXHAUSTED` for a budget
 * refusal (any status), `PERMISSION_DENIED` for 401/403, `INVALID_REQUEST` for other 4xx,
 * `INTERNAL_ERROR` for rate limits and 5xx. Details carry the status and the upstream's error
 * type when it is a plain identifier.
 */
export function upstreamError(status: number, bodyText: string, model: string): ArcpError {
  const body = parseBody(bodyText);
  const details: Record<string, unknown> = { upstream_status: status };
  if (body.type !== undefined && SAFE_TYPE.test(body.type)) details.upstream_type = body.type;
  const about = `${body.type ?? ""} ${body.message}`;
  const shown = JSON.stringify(model);
  if (body.type === "budget_exceeded" || BUDGET_PATTERN.test(about)) {
    return new ArcpError("BUDGET_EXHAUSTED", `upstream budget exhausted (model ${shown})`, {
      details,
    });
  }
  if (status === 401 || status === 403) {
    const refusesModel = MODEL_REFUSAL_PATTERN.test(about) || body.message.includes(model);
    const message = refusesModel
      ? `upstream does not allow model ${shown} for this credential`
      : "upstream rejected the credential";
    return new ArcpError("PERMISSION_DENIED", message, { details });
  }
  if (status === 404)
    return new ArcpError("INVALID_REQUEST", `upstream does not serve model ${shown}`, { details });
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new ArcpError("INVALID_REQUEST", `upstream rejected the request (HTTP ${status})`, {
      details,
    });
  }
  return new ArcpError("INTERNAL_ERROR", `upstream failed (HTTP ${status})`, { details });
}
