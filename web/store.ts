// What the page keeps across reloads, in IndexedDB: saved machine states (the
// page's States panel, web/ui/states.ts). One object store:
//
//   states  key name            { name, parent?, created, thumbnail, size, bytes: Blob }
//
// A state's bytes are its snapshot file (web/host/snapshot.ts), kept as a Blob
// so that listing the states reads only their small fields.

const DB_NAME = "ringzero";
const DB_VERSION = 1;
const STATES = "states";

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
