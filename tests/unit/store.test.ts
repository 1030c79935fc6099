// The page's kept disk (web/store.ts) without a browser: chunk records pack and
// unpack the written sectors, and PersistentDisk hands the store exactly the
// chunks written since its last flush (all of them after a restore, none after
// a discard). IndexedDB itself is covered in Chromium (tests/e2e/states.test.ts).

import { test, expect } from "vitest";
import { CHUNK_SECTORS, PersistentDisk, packChunk, unpackChunk, type ChunkRecord, type DiskStore } from "../../web/store";
import { CowOverlay, MemoryBackend, SECTOR, WriteLog } from "../../web/host/block";

const sector = (fill: number) => new Uint8Array(SECTOR).fill(fill);

test("a chunk packs its written sectors in order and unpacks to the same sectors", () => {
  const written = new Map([[CHUNK_SECTORS + 3, sector(3)], [CHUNK_SECTORS + 70, sector(70)], [5, sector(5)]]);
  const rec = packChunk("sha256:ab", 1, written)!;
  expect(rec.present.length).toBe(CHUNK_SECTORS / 8);
  expect(rec.data.length).toBe(2 * SECTOR);
  expect(rec.present[0]).toBe(1 << 3);
  expect(rec.present[70 >>> 3]).toBe(1 << (70 & 7));
  expect(unpackChunk(rec)).toEqual([[CHUNK_SECTORS + 3, sector(3)], [CHUNK_SECTORS + 70, sector(70)]]);
  expect(packChunk("sha256:ab", 2, written)).toBeNull();
});

test("a chunk record that does not add up is skipped whole", () => {
  const rec = packChunk("d", 0, new Map([[1, sector(1)], [2, sector(2)]]))!;
  expect(unpackChunk({ ...rec, data: rec.data.subarray(0, SECTOR) })).toEqual([]);
  expect(unpackChunk({ ...rec, data: new Uint8Array(3 * SECTOR) })).toEqual([]);
  expect(unpackChunk({ ...rec, present: new Uint8Array(3) })).toEqual([]);
});

/** A DiskStore that remembers what it was asked to save. */
function fakeStore() {
  const saves: { chunks: Map<number, ChunkRecord | null>; replace: boolean }[] = [];
  let cleared = 0;
  const store = {
    async save(_disk: string, _size: number, chunks: Map<number, ChunkRecord | null>, replace: boolean) { saves.push({ chunks, replace }); },
    async clear() { cleared++; },
    async load() { return { sectors: [], dropped: false }; },
  } as unknown as DiskStore;
  return { store, saves, cleared: () => cleared };
}

test("PersistentDisk stores the chunks written since the last flush, all of them after a restore, none after a discard", async () => {
  const overlay = new CowOverlay(new MemoryBackend(new Uint8Array(1024 * SECTOR), true));
  const log = new WriteLog(overlay);
  const { store, saves, cleared } = fakeStore();
  let due = 0;
  const disk = new PersistentDisk(log, overlay, store, "url:x", () => due++);
  const two = new Uint8Array(2 * SECTOR).fill(7);
  disk.write(CHUNK_SECTORS - 1, 2, two); // across chunks 0 and 1
  disk.write(5, 1, sector(9));
  expect(due).toBe(1); // one flush asked for, for the batch
  expect(disk.pending).toBe(true);
  await disk.flush();
  expect(saves).toHaveLength(1);
  expect([...saves[0].chunks.keys()].sort()).toEqual([0, 1]);
  expect(saves[0].replace).toBe(false);
  expect(unpackChunk(saves[0].chunks.get(0)!).map(([l]) => l)).toEqual([5, CHUNK_SECTORS - 1]);
  expect(disk.pending).toBe(false);
  await disk.flush(); // nothing new: nothing stored
  expect(saves).toHaveLength(1);

  // A restore replaced the overlay: everything in it is stored again, replacing the rest.
  overlay.discard();
  overlay.write(3 * CHUNK_SECTORS, 1, sector(1));
  disk.replaced();
  expect(due).toBe(2);
  await disk.flush();
  expect(saves[1].replace).toBe(true);
  expect([...saves[1].chunks.keys()]).toEqual([3]);

  await disk.discard();
  expect(cleared()).toBe(1);
  disk.write(0, 1, sector(2));
  expect(disk.pending).toBe(false);
  await disk.flush();
  expect(saves).toHaveLength(2);
  // The run keeps its writes in memory.
  const back = new Uint8Array(SECTOR);
  disk.read(0, 1, back);
  expect(back).toEqual(sector(2));
});
