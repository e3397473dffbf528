/** Readable rendering of job events for `runplane submit` (and a progress bar on terminals). */

export interface Renderer {
  event(kind: string, body: Record<string, unknown>): void;
  done(): void;
}

function bar(current: number, total: number | undefined, width = 30): string {
  if (total === undefined || total <= 0) return `${current}`;
  const filled = Math.round((Math.min(current, total) / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${current}/${total}`;
}

export function createRenderer(out: NodeJS.WriteStream, err: NodeJS.WriteStream): Renderer {
  const tty = err.isTTY === true;
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) {
      err.write("\r\x1b[K");
      barShown = false;
    }
  };
  const line = (text: string): void => {
    clearBar();
    out.write(`${text}\n`);
  };
  return {
    event(kind, b) {
      switch (kind) {
        case "log":
          return line(`[${String(b["level"])}] ${String(b["message"])}`);
        case "thought":
          return line(`(thinking) ${String(b["text"])}`);
        case "status":
          return line(
            `status ${String(b["phase"])}${b["message"] === undefined ? "" : `: ${String(b["message"])}`}`,
          );
        case "metric":
          return line(
            `metric ${String(b["name"])}=${String(b["value"])}${b["unit"] === undefined ? "" : ` ${String(b["unit"])}`}`,
          );
        case "progress": {
          const units = b["units"] === undefined ? "" : ` ${String(b["units"])}`;
          const msg = b["message"] === undefined ? "" : ` ${String(b["message"])}`;
          const text = `${bar(Number(b["current"]), b["total"] === undefined ? undefined : Number(b["total"]))}${units}${msg}`;
          if (tty) {
            err.write(`\r\x1b[K${text}`);
            barShown = true;
            return;
          }
          return line(`progress ${text}`);
        }
        case "tool_call":
          return line(`→ ${String(b["tool"])} ${JSON.stringify(b["args"] ?? {})}`);
        case "tool_result":
          return line(
            b["error"] === undefined
              ? `← ${String(b["call_id"])} ${JSON.stringify(b["result"])}`
              : `← ${String(b["call_id"])} error ${JSON.stringify(b["error"])}`,
          );
        case "artifact_ref":
          return line(`artifact ${String(b["uri"])} (${String(b["content_type"])})`);
        case "delegate":
          return line(`delegate → ${String(b["agent"])}`);
        case "result_chunk":
          return;
        default:
          return line(`${kind} ${JSON.stringify(b)}`);
      }
    },
    done: clearBar,
  };
}
