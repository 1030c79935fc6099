// Writer for the "newc" cpio format (SVR4 portable ASCII, magic 070701), the
// format the Linux kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst).
// Every header is 110 ASCII bytes: the magic, then 13 fields of 8 hex digits.
// The name (with its NUL) and the file data are each padded to a multiple of 4
// bytes, counted from the start of the archive. The archive ends with an entry
// named "TRAILER!!!".
//
// Entries are kept in insertion order; parents must be added before children
// (the kernel creates them in archive order and does not make parents itself).

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

export class CpioWriter {
  /** @param {number} mtime seconds since the epoch, used for every entry (reproducible archives) */
  constructor(mtime = 0) {
    this.mtime = mtime;
    this.entries = [];
    this.names = new Set();
    this.nextIno = 1;
  }

  #add(name, mode, data, { nlink = 1, rdevMajor = 0, rdevMinor = 0 } = {}) {
    name = name.replace(/^\/+/, '');
    if (!name) throw new Error('cpio: empty entry name');
    if (this.names.has(name)) throw new Error(`cpio: duplicate entry ${name}`);
    const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : null;
    if (parent && !this.names.has(parent)) throw new Error(`cpio: ${name} added before its directory ${parent}`);
    this.names.add(name);
    this.entries.push({ name, mode, data, nlink, rdevMajor, rdevMinor, ino: this.nextIno++ });
  }

  dir(name, perm = 0o755) { this.#add(name, S_IFDIR | perm, Buffer.alloc(0), { nlink: 2 }); }
  file(name, data, perm = 0o644) { this.#add(name, S_IFREG | perm, Buffer.from(data)); }
  symlink(name, target) { this.#add(name, S_IFLNK | 0o777, Buffer.from(target)); }
  charDevice(name, major, minor, perm = 0o600) {
    this.#add(name, S_IFCHR | perm, Buffer.alloc(0), { rdevMajor: major, rdevMinor: minor });
  }

  /** Creates name and any missing parent directories. */
  mkdirp(name) {
    const parts = name.replace(/^\/+|\/+$/g, '').split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!this.names.has(p)) this.dir(p);
    }
  }

  has(name) { return this.names.has(name.replace(/^\/+/, '')); }

  /** @returns {Buffer} the whole archive */
  toBuffer() {
    const chunks = [];
    let offset = 0;
    const push = (buf) => { chunks.push(buf); offset += buf.length; };
    const pad4 = () => { const n = (4 - (offset % 4)) % 4; if (n) push(Buffer.alloc(n)); };
    const hex = (v) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`cpio: field out of range: ${v}`);
      return v.toString(16).padStart(8, '0');
    };
    const entry = (e) => {
      const name = Buffer.from(e.name + '\0');
      const header = '070701' + [
        e.ino, e.mode, 0 /* uid */, 0 /* gid */, e.nlink, this.mtime, e.data.length,
        0, 0 /* dev major/minor */, e.rdevMajor, e.rdevMinor, name.length, 0 /* check */,
      ].map(hex).join('');
      push(Buffer.from(header, 'ascii'));
      push(name);
      pad4();
      push(e.data);
      pad4();
    };
    for (const e of this.entries) entry(e);
    entry({ name: 'TRAILER!!!', mode: 0, data: Buffer.alloc(0), nlink: 1, rdevMajor: 0, rdevMinor: 0, ino: 0 });
    return Buffer.concat(chunks);
  }
}
