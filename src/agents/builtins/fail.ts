/** `fail`: ends in `job.error` with the §12 code and message it is given. */
import { isErrorCode } from "../../protocol/error-codes.js";
import { ArcpError } from "../../protocol/errors.js";
import { defineAgent } from "../agent.js";

export const failAgent = defineAgent<{ code?: string; message?: string } | null>({
  name: "fail",
  version: "1.0.0",
  description: "Fails with input.code (a spec error code) and input.message.",
  async run(input) {
    const code = input?.code ?? "INTERNAL_ERROR";
    const message = input?.message ?? `failed with ${code}`;
    if (!isErrorCode(code))
      throw new ArcpError("INVALID_REQUEST", `"${code}" is not an ARCP error code`);
    throw new ArcpError(code, message);
  },
});
