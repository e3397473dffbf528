/** Target canonicalisation before lease matching (§9.2, §14, DESIGN-7): paths, URLs, names. */
import { LeaseError } from "./lease-error.js";

/** How a capability's targets are written: filesystem paths, http(s) URLs or opaque names. */
export type TargetKind = "path" | "url" | "name";

/** Whether `text` holds a C0 control, DEL or a C1 control character. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** The target kind of a glob capability (§9.2); `undefined` for `cost.budget`. */
export function targetKindOf(capability: string): TargetKind | undefined {
  if (capability === "fs.read" || capability === "fs.write") return "path";
  if (capability === "net.fetch") return "url";
  if (capability === "cost.budget") return undefined;
  return "name";
}

/**
 * Canonicalise `target` for matching under `capability` (§9.2, DESIGN-7). The runtime must act
 * on the returned string, not on the original, so that what was checked is what is done.
 *
 * @throws LeaseError `INVALID_REQUEST` for a target that has no canonical form. Messages name
 * the capability only: a URL may carry credentials in its query.
 */
export function canonicalizeTarget(capability: string, target: string): string {
  const kind = targetKindOf(capability);
  if (kind === undefined) {
    throw new LeaseError("INVALID_REQUEST", `${capability} has no matchable targets`, {
      capability,
    });
  }
  if (typeof target !== "string" || target.length === 0) {
    throw refused(capability, "is empty");
  }
  if (hasControlCharacter(target)) throw refused(capability, "contains a control character");
  if (kind === "path") return canonicalPath(capability, target);
  if (kind === "url") return canonicalUrl(capability, target);
  return target;
}

/**
 * An absolute POSIX path with `.`, `..` and repeated or trailing slashes resolved; a `..` above
 * the root is refused rather than clamped, since it can only be an escape attempt.
 */
function canonicalPath(capability: string, target: string): string {
  if (!target.startsWith("/")) throw refused(capability, "is not an absolute path");
  const out: string[] = [];
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.pop() === undefined) throw refused(capability, "escapes the filesystem root");
      continue;
    }
    out.push(part);
  }
  return `/${out.join("/")}`;
}

/**
 * A WHATWG-parsed http(s) URL: scheme and host lower-cased, default port dropped, dot segments
 * resolved, fragment dropped (it never reaches the server), query kept.
 */
function canonicalUrl(capability: string, target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw refused(capability, "is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused(capability, "is not an http or https URL");
  }
  // Userinfo would let `https://allowed.example@evil.example/` read as the allowed host.
  if (url.username !== "" || url.password !== "") {
    throw refused(capability, "carries user credentials");
  }
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

function refused(capability: string, why: string): LeaseError {
  return new LeaseError("INVALID_REQUEST", `${capability} target ${why}`, { capability });
}
