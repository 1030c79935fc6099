// Snapshots on the command line: zlib for the codec, streamed SHA-256 for
// writable disks, and files for QEMU's `migrate file:PATH` and `-incoming file:PATH`.
// The format and the machine side are web/host/snapshot.ts.

import { deflateRawSync, inflateRawSync } from "node:zlib";
import { createHash } from "node:crypto";
import type { Codec } from "../host/snapshot";
import { SECTOR, type BlockBackend } from "../host/block";

/** Raw deflate at zlib's fastest level: a 128 MiB guest saves in well under a second. */
export const zlibCodec: Codec = {
  async deflate(b) { return deflateRawSync(b, { level: 1 }); },
  async inflate(b, max) { return inflateRawSync(b, { maxOutputLength: Math.max(1, max) }); },
};

/** SHA-256 of a disk's contents, read through its backend in 4 MiB pieces. */
export async function backendSha256(b: BlockBackend): Promise<string> {
  const h = createHash("sha256");
  const chunk = 8192;
  const buf = new Uint8Array(chunk * SECTOR);
  const sectors = b.size / SECTOR;
  for (let lba = 0; lba < sectors; lba += chunk) {
    const n = Math.min(chunk, sectors - lba);
    b.read(lba, n, buf);
    h.update(buf.subarray(0, n * SECTOR));
  }
  return h.digest("hex");
}
