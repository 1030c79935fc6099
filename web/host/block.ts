// Block devices on the host side: disk and CD images live here, never in the
// wasm memory (they can be gigabytes). The machine asks for sectors through one
// synchronous wasm import, `env.blockIo` (asm/dev/ide.ts):
//
//   blockIo(drive, write, lbaLo, lbaHi, count, ptr) -> 0 ok | 1 error
//
//   drive   0 primary master, 1 primary slave, 2 secondary master, 3 secondary slave
//   write   0: copy `count` sectors from the image into linear memory at `ptr`
//           1: copy them from linear memory at `ptr` into the image
//   lba     first 512-byte sector (lbaHi:lbaLo, 64-bit); ATAPI drives ask in
//           512-byte units too (a 2048-byte CD block is 4 sectors)
//   count   512-byte sectors, at most 256 per call (the device's bounce buffer)
//
// The call is synchronous: Node and a Web Worker both keep images in memory or
// a file (later, perhaps, behind OPFS's synchronous access handles), or fetch
// them over HTTP with a synchronous request (httpdisk.ts), so the device finishes
// a command inside the guest's OUT instruction, as a fast disk would. A device never
// asks past the end of the image it was told about (ideAttach); an error return
// becomes an ATA/ATAPI error the guest sees, never a wasm trap.

export const SECTOR = 512;

export interface BlockBackend {
  /** Size in bytes (a multiple of 512). */
  readonly size: number;
  /** Writes are refused (the guest gets a write error). */
  readonly readOnly: boolean;
  /** Read `count` sectors from `lba` into `into` (count * 512 bytes). */
  read(lba: number, count: number, into: Uint8Array): void;
  /** Write `count` sectors at `lba` from `from` (count * 512 bytes). */
  write(lba: number, count: number, from: Uint8Array): void;
}

export class BlockError extends Error {}

/** A request inside the image, with room for it in the buffer (or a BlockError). */
export function checkRange(b: BlockBackend, lba: number, count: number, buf: Uint8Array): void {
  if (!Number.isInteger(lba) || lba < 0 || count < 0 || (lba + count) * SECTOR > b.size) {
    throw new BlockError(`sectors ${lba}+${count} are outside a ${b.size}-byte image`);
  }
  if (buf.length < count * SECTOR) throw new BlockError(`buffer of ${buf.length} bytes is too small for ${count} sectors`);
}

/** An image held in memory. Writes change `data` (give it a copy to protect the original). */
export class MemoryBackend implements BlockBackend {
  readonly size: number;
  constructor(readonly data: Uint8Array, readonly readOnly = false) {
    // A trailing partial sector is not addressable, as with QEMU's raw images.
    this.size = Math.floor(data.length / SECTOR) * SECTOR;
  }
  read(lba: number, count: number, into: Uint8Array): void {
    checkRange(this, lba, count, into);
    into.set(this.data.subarray(lba * SECTOR, (lba + count) * SECTOR));
  }
  write(lba: number, count: number, from: Uint8Array): void {
    if (this.readOnly) throw new BlockError("image is read-only");
    checkRange(this, lba, count, from);
    this.data.set(from.subarray(0, count * SECTOR), lba * SECTOR);
  }
}

/** Copy-on-write overlay (QEMU's -snapshot): writes land in memory, sector by
 *  sector; reads see them; the base image is never written. */
export class CowOverlay implements BlockBackend {
  readonly readOnly = false;
  private readonly dirty = new Map<number, Uint8Array>();
  constructor(readonly base: BlockBackend) {}
  get size(): number { return this.base.size; }
  /** Sectors written since the overlay was made. */
  get dirtySectors(): number { return this.dirty.size; }
  /** The written sectors by LBA (the page keeps them in IndexedDB). */
  get sectors(): ReadonlyMap<number, Uint8Array> { return this.dirty; }
  read(lba: number, count: number, into: Uint8Array): void {
    checkRange(this, lba, count, into);
    if (this.dirty.size === 0) { this.base.read(lba, count, into); return; }
    // Runs of clean sectors go to the base in one call.
    let i = 0;
    while (i < count) {
      const d = this.dirty.get(lba + i);
      if (d) { into.set(d, i * SECTOR); i++; continue; }
      let j = i + 1;
      while (j < count && !this.dirty.has(lba + j)) j++;
      this.base.read(lba + i, j - i, into.subarray(i * SECTOR, j * SECTOR));
      i = j;
    }
  }
  write(lba: number, count: number, from: Uint8Array): void {
    checkRange(this, lba, count, from);
    for (let i = 0; i < count; i++) this.dirty.set(lba + i, from.slice(i * SECTOR, (i + 1) * SECTOR));
  }
  /** Forget every write (back to the base image). */
  discard(): void { this.dirty.clear(); }
}

/** A writable disk whose writes are also kept, sector by sector, so that a
 *  snapshot can carry them (web/host/snapshot.ts): restored over the same base
 *  image, they give the disk the contents it had when the snapshot was saved. */
export class WriteLog implements BlockBackend {
  /** Every sector written since the disk was opened (or restored), by LBA. */
  readonly written = new Map<number, Uint8Array>();
  constructor(readonly inner: BlockBackend) {}
  get size(): number { return this.inner.size; }
  get readOnly(): boolean { return this.inner.readOnly; }
  read(lba: number, count: number, into: Uint8Array): void { this.inner.read(lba, count, into); }
  write(lba: number, count: number, from: Uint8Array): void {
    this.inner.write(lba, count, from);
    for (let i = 0; i < count; i++) this.written.set(lba + i, from.slice(i * SECTOR, (i + 1) * SECTOR));
  }
}

/** Drive kinds, as asm/dev/ide.ts ideAttach takes them. */
export const DRIVE = { NONE: 0, DISK: 1, CDROM: 2 } as const;
export type DriveKind = (typeof DRIVE)[keyof typeof DRIVE];

/** The host end of `env.blockIo`: up to four drives (QEMU's -hda..-hdd order;
 *  -cdrom is drive 2, the secondary master). */
export class BlockHost {
  readonly drives: (BlockBackend | undefined)[] = [undefined, undefined, undefined, undefined];
  /** The last error a backend threw, for a host log (the guest only sees an I/O error). */
  lastError = "";
  private memory: WebAssembly.Memory | undefined;

  bind(memory: WebAssembly.Memory): void { this.memory = memory; }

  /** The import object entries the machine module needs. */
  imports(): { blockIo: (drive: number, write: number, lbaLo: number, lbaHi: number, count: number, ptr: number) => number } {
    return { blockIo: (d, w, lo, hi, n, p) => this.io(d, w, lo, hi, n, p) };
  }

  io(drive: number, write: number, lbaLo: number, lbaHi: number, count: number, ptr: number): number {
    const b = this.drives[drive];
    if (!b || !this.memory) return 1;
    const lba = (lbaHi >>> 0) * 0x100000000 + (lbaLo >>> 0);
    try {
      const mem = new Uint8Array(this.memory.buffer, ptr >>> 0, count * SECTOR);
      if (write) b.write(lba, count, mem); else b.read(lba, count, mem);
      return 0;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      return 1;
    }
  }
}
