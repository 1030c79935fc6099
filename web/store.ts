// What the page keeps across reloads, in IndexedDB: saved machine states (the
// page's States panel, web/ui/states.ts) and the writable disk's overlay (the
// sectors the guest wrote, kept by the worker, web/worker.ts). One database,
// two object stores:
//
//   states  key name            { name, parent?, created, thumbnail, size, bytes: Blob }
//   disks   key [disk, chunk]   { disk, chunk, present, data }
//
// A state's bytes are its snapshot file (web/host/snapshot.ts), kept as a Blob
// so that listing the states reads only their small fields. A disk is named by
// its image's SHA-256 ("sha256:<hex>"), or by its URL ("url:<URL>") when it is
// read over HTTP; its written sectors are grouped in chunks of CHUNK_SECTORS:
// `present` is a bitmap of the chunk's sectors, `data` those sectors in order.
// Chunk -1 records the image's size: an image behind a URL that changed size
// loses its overlay rather than having old sectors land on new contents.
//
// The page and its worker both open the database (IndexedDB exists in both);
// only the chunk packing runs under Node (tests/unit/store.test.ts).

import { SECTOR, type BlockBackend, type CowOverlay } from "./host/block";

const DB_NAME = "ringzero";
const DB_VERSION = 1;
const STATES = "states";
const DISKS = "disks";
/** Sectors per stored chunk (64 KiB). */
export const CHUNK_SECTORS = 128;
const SIZE_CHUNK = -1;

/** A saved state as the States panel lists it. */
export interface StateInfo {
  name: string;
  /** The state the machine was last restored from or saved as when this one was saved. */
  parent?: string;
  /** ISO 8601 time of the save. */
  created: string;
  /** The last lines of the console when it was saved, as plain text. */
  thumbnail: string;
  /** Bytes of its snapshot file. */
  size: number;
}

interface StateRecord extends StateInfo { bytes: Blob }

/** One chunk of a disk's written sectors. */
export interface ChunkRecord { disk: string; chunk: number; present: Uint8Array; data: Uint8Array; size?: number }

/** A request's result as a promise. */
function done<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

/** A transaction's end (committed) as a promise. */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

let opened: Promise<IDBDatabase> | undefined;

/** The database, opened once per page or worker. */
export function openDatabase(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") { reject(new Error("this browser has no IndexedDB")); return; }
    const r = indexedDB.open(DB_NAME, DB_VERSION);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(STATES)) db.createObjectStore(STATES, { keyPath: "name" });
      if (!db.objectStoreNames.contains(DISKS)) db.createObjectStore(DISKS, { keyPath: ["disk", "chunk"] });
    };
    // Another tab with an older version open: it closes its connection (below) and we go on.
    r.onblocked = () => {};
    r.onsuccess = () => {
      r.result.onversionchange = () => r.result.close();
      resolve(r.result);
    };
    r.onerror = () => reject(r.error ?? new Error("IndexedDB could not be opened"));
  });
  opened.catch(() => { opened = undefined; });
  return opened;
}

// ---- saved states ----

export class StateStore {
  /** Every saved state, oldest first (without their bytes). */
  async list(): Promise<StateInfo[]> {
    const db = await openDatabase();
    const all = await done(db.transaction(STATES).objectStore(STATES).getAll()) as StateRecord[];
    return all.map(({ bytes: _b, ...info }) => info).sort((a, b) => a.created.localeCompare(b.created));
  }

  /** A state's snapshot file, or undefined when there is none by that name. */
  async bytes(name: string): Promise<Uint8Array | undefined> {
    const db = await openDatabase();
    const r = await done(db.transaction(STATES).objectStore(STATES).get(name)) as StateRecord | undefined;
    return r ? new Uint8Array(await r.bytes.arrayBuffer()) : undefined;
  }

  /** Store a new state; a name already taken is refused (nothing is overwritten). */
  async add(info: Omit<StateInfo, "size">, bytes: Uint8Array): Promise<void> {
    const db = await openDatabase();
    const tx = db.transaction(STATES, "readwrite");
    const rec: StateRecord = { ...info, size: bytes.length, bytes: new Blob([bytes as Uint8Array<ArrayBuffer>]) };
    if (rec.parent === undefined) delete rec.parent;
    try {
      await done(tx.objectStore(STATES).add(rec));
      await committed(tx);
    } catch (e) {
      if (e instanceof DOMException && e.name === "ConstraintError") throw new Error(`A state named "${info.name}" exists already: pick another name.`);
      throw e;
    }
  }

  /** Delete a state; its children take its parent. */
  async delete(name: string): Promise<void> {
    const db = await openDatabase();
    const tx = db.transaction(STATES, "readwrite");
    const store = tx.objectStore(STATES);
    const gone = await done(store.get(name)) as StateRecord | undefined;
    if (gone) {
      const all = await done(store.getAll()) as StateRecord[];
      for (const child of all.filter((s) => s.parent === name)) {
        const moved: StateRecord = { ...child, parent: gone.parent };
        if (moved.parent === undefined) delete moved.parent;
        store.put(moved);
      }
      store.delete(name);
    }
    await committed(tx);
  }

  /** `name`, or `name (2)`, `name (3)`... whichever is free. */
  async freeName(name: string): Promise<string> {
    const taken = new Set((await this.list()).map((s) => s.name));
    if (!taken.has(name)) return name;
    for (let i = 2; ; i++) if (!taken.has(`${name} (${i})`)) return `${name} (${i})`;
  }
}

// ---- the writable disk's overlay ----

/** The chunk record for chunk `chunk` of a disk: the written sectors among its
 *  CHUNK_SECTORS, or null when none of them is written. */
export function packChunk(disk: string, chunk: number, sectors: ReadonlyMap<number, Uint8Array>): ChunkRecord | null {
  const present = new Uint8Array(CHUNK_SECTORS / 8);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < CHUNK_SECTORS; i++) {
    const s = sectors.get(chunk * CHUNK_SECTORS + i);
    if (!s) continue;
    present[i >>> 3] |= 1 << (i & 7);
    parts.push(s);
  }
  if (!parts.length) return null;
  const data = new Uint8Array(parts.length * SECTOR);
  parts.forEach((p, k) => data.set(p, k * SECTOR));
  return { disk, chunk, present, data };
}

/** The sectors of a chunk record, as [lba, bytes]; a record that does not add up is skipped whole. */
export function unpackChunk(r: ChunkRecord): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  if (!(r.present instanceof Uint8Array) || !(r.data instanceof Uint8Array) || r.present.length !== CHUNK_SECTORS / 8) return out;
  for (let i = 0; i < CHUNK_SECTORS; i++) {
    if (!(r.present[i >>> 3] & (1 << (i & 7)))) continue;
    const k = out.length;
    if ((k + 1) * SECTOR > r.data.length) return [];
    out.push([r.chunk * CHUNK_SECTORS + i, r.data.slice(k * SECTOR, (k + 1) * SECTOR)]);
  }
  return out.length * SECTOR === r.data.length ? out : [];
}

const diskRange = (disk: string) => IDBKeyRange.bound([disk, -Infinity], [disk, Infinity]);

export class DiskStore {
  /** The sectors kept for `disk`; an overlay kept for an image of another size is dropped (`dropped`). */
  async load(disk: string, size: number): Promise<{ sectors: [number, Uint8Array][]; dropped: boolean }> {
    const db = await openDatabase();
    const all = await done(db.transaction(DISKS).objectStore(DISKS).getAll(diskRange(disk))) as ChunkRecord[];
    const meta = all.find((r) => r.chunk === SIZE_CHUNK);
    if (meta && meta.size !== size) { await this.clear(disk); return { sectors: [], dropped: true }; }
    const sectors = all.filter((r) => r.chunk !== SIZE_CHUNK).flatMap(unpackChunk).filter(([lba]) => (lba + 1) * SECTOR <= size);
    return { sectors, dropped: false };
  }

  /** Write these chunks (an empty one: `null` for chunk n deletes it); with
   *  `replace`, every other chunk of the disk goes first. One transaction. */
  async save(disk: string, size: number, chunks: Map<number, ChunkRecord | null>, replace: boolean): Promise<void> {
    const db = await openDatabase();
    const tx = db.transaction(DISKS, "readwrite");
    const store = tx.objectStore(DISKS);
    if (replace) store.delete(diskRange(disk));
    store.put({ disk, chunk: SIZE_CHUNK, present: new Uint8Array(0), data: new Uint8Array(0), size } satisfies ChunkRecord);
    for (const [n, rec] of chunks) {
      if (rec) store.put(rec);
      else if (!replace) store.delete([disk, n]);
    }
    await committed(tx);
  }

  async clear(disk: string): Promise<void> {
    const db = await openDatabase();
    const tx = db.transaction(DISKS, "readwrite");
    tx.objectStore(DISKS).delete(diskRange(disk));
    await committed(tx);
  }
}

/** The guest's writable disk as the machine sees it, keeping what it writes in
 *  IndexedDB: each write notes its chunk, the first write after a flush calls
 *  `due` (the worker flushes a moment later, so writes go in batches), and
 *  flush() stores the chunks written since, read back from the copy-on-write
 *  overlay that holds every sector written since the image. */
export class PersistentDisk implements BlockBackend {
  private touched = new Set<number>();
  private replaceAll = false;
  /** Discarded: this run's writes are no longer kept. */
  private stopped = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(readonly inner: BlockBackend, readonly overlay: CowOverlay, readonly store: DiskStore, readonly key: string,
    private readonly due: () => void = () => {}) {}
  get size(): number { return this.inner.size; }
  get readOnly(): boolean { return this.inner.readOnly; }
  read(lba: number, count: number, into: Uint8Array): void { this.inner.read(lba, count, into); }
  write(lba: number, count: number, from: Uint8Array): void {
    this.inner.write(lba, count, from);
    if (this.stopped) return;
    if (!this.pending) this.due();
    for (let c = Math.floor(lba / CHUNK_SECTORS); c <= Math.floor((lba + count - 1) / CHUNK_SECTORS); c++) this.touched.add(c);
  }

  /** Writes not yet stored. */
  get pending(): boolean { return !this.stopped && (this.replaceAll || this.touched.size > 0); }

  /** The overlay was replaced as a whole (a state was restored): store all of it again. */
  replaced(): void {
    if (this.stopped) return;
    if (!this.pending) this.due();
    this.replaceAll = true;
  }

  /** Store the chunks written since the last flush (flushes run one after another). */
  flush(): Promise<void> {
    if (!this.pending) return this.flushing;
    const replace = this.replaceAll;
    const chunks = new Map<number, ChunkRecord | null>();
    const which = replace ? new Set([...this.overlay.sectors.keys()].map((l) => Math.floor(l / CHUNK_SECTORS))) : this.touched;
    for (const c of which) chunks.set(c, packChunk(this.key, c, this.overlay.sectors));
    this.touched = new Set();
    this.replaceAll = false;
    this.flushing = this.flushing.then(() => this.store.save(this.key, this.size, chunks, replace));
    return this.flushing;
  }

  /** Forget the stored writes: the next boot starts from the image. This run
   *  keeps its writes in memory and stores no more. */
  async discard(): Promise<void> {
    this.stopped = true;
    this.touched.clear();
    this.replaceAll = false;
    await this.flushing.catch(() => {});
    await this.store.clear(this.key);
  }
}
