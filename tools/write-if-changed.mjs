// Generated files are rewritten only when their text changes, and then whole
// (written beside and renamed over): npm pack's prepare runs the generators while
// other tests may be reading what they wrote (tests/system/packed.ts).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** Write `data` to `path` unless it already holds exactly that; true if written. */
export function writeIfChanged(path, data) {
  const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (existsSync(path) && readFileSync(path).equals(bytes)) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return true;
}
