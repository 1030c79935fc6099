// -icount rr=record|replay,rrfile=FILE on the command line: what identifies a
// run (images, settings) and where the recording goes. The recording itself,
// and replaying it, is web/host/replay.ts.

import { createHash } from "node:crypto";
import { openSync, writeSync, closeSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { Recorder, Replay, recordHeader, type ImageIdentity, type RecordHeader } from "../host/replay";
import type { BlockBackend } from "../host/block";
import { UsageError, cpuName, type Config } from "./args";
import { driveSha256, isWritableDisk, type OpenedDrive } from "./drives";

/** An image held in memory (kernel, initrd, firmware), by the role it plays. */
export interface LoadedImage { role: string; path: string; bytes: Uint8Array }

export interface RecordReplay {
  recorder?: Recorder;
  replay?: Replay;
  /** MachineOptions.hostNow: recorded, or served from the recording. */
  hostNow: () => number;
  /** The RTC's time at power-on: the recording's when replaying. */
  rtc: number;
  /** A writable disk's backend: recording its reads, or serving them. */
  writable: (d: OpenedDrive, b: BlockBackend) => BlockBackend;
  /** Close the recording with the run's exit status (and the file). */
  finish(exitStatus: number): void;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const DRIVE_NAMES = ["hda", "hdb", "hdc", "hdd"];

/** What identifies this run: settings and images, hashed (record/replay and snapshots). */
export function describeRun(c: Config, wasm: Uint8Array, images: LoadedImage[], drives: OpenedDrive[], rtc: number, cmdline: string | undefined): RecordHeader {
  const ids: ImageIdentity[] = images.map((i) => ({ role: i.role, name: basename(i.path), size: i.bytes.length, sha256: sha256(i.bytes) }));
  for (const d of drives) {
    const role = `${DRIVE_NAMES[d.index]} (${d.media})`;
    // An image read over HTTP is named by its URL (hashing it would download it whole).
    if (d.remote) ids.push({ role, name: d.path, size: d.size, url: d.path });
    else ids.push({ role, name: basename(d.path), size: d.size, sha256: isWritableDisk(d) ? undefined : driveSha256(d) });
  }
  return recordHeader({
    machineSha256: sha256(wasm), ramMB: c.ramMB, cpu: cpuName(c.cpu), icountShift: c.icountShift, rtc, images: ids,
    append: cmdline, firmware: cmdline === undefined ? { boot: c.bootOrder, nographic: c.noGraphics } : undefined,
    translate: process.env.RINGZERO_TRANSLATE || undefined, hpet: c.hpet, rtcClock: c.rtcClock,
  });
}

/** Check the recording against this run (replay) or start one (record): a
 *  problem is a one-line error, and a replay never writes a file. */
export function openRecordReplay(
  c: Config, wasm: Uint8Array, images: LoadedImage[], drives: OpenedDrive[],
  rtc: number, cmdline: string | undefined, hostNow: () => number,
): RecordReplay {
  const rr = c.rr!;
  const header = describeRun(c, wasm, images, drives, rtc, cmdline);
  if (rr.mode === "replay") {
    let bytes: Uint8Array;
    try { bytes = readFileSync(rr.file); } catch (e) {
      throw new UsageError(`replay file ${rr.file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as NodeJS.ErrnoException).code}`);
    }
    const replay = new Replay(bytes, rr.file);
    replay.check(header);
    return {
      replay, hostNow: replay.clock(), rtc: replay.header.rtc,
      writable: (d) => replay.disk(d.index, d.size),
      finish: () => {},
    };
  }
  let fd: number;
  try { fd = openSync(rr.file, "w"); } catch (e) {
    throw new UsageError(`-icount rrfile=${rr.file}: cannot open for writing (${(e as NodeJS.ErrnoException).code})`);
  }
  const recorder = new Recorder(header, (chunk) => { writeSync(fd, chunk); });
  return {
    recorder, hostNow: recorder.clock(hostNow), rtc,
    writable: (d, b) => recorder.disk(d.index, b),
    finish: (status) => {
      const n = recorder.end(status);
      closeSync(fd);
      process.stderr.write(`ringzero: recorded ${n} instructions to ${rr.file}\n`);
    },
  };
}
