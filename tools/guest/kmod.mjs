// Kernel module metadata without modinfo/depmod: reads the ".modinfo" ELF section
// of each .ko (NUL-separated "key=value" strings written by MODULE_INFO()) and
// resolves "depends=" (hard dependencies, recorded by modpost) and "softdep=pre:"
// transitively. Debian's linux-image packages ship no modules.dep (depmod writes
// it at install time), so the builder makes one from this.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Module name as the kernel sees it: file stem with '-' folded to '_'. */
export function moduleName(file) {
  return path.basename(file).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** Returns the raw ELF bytes of a module, decompressing .ko.gz/.ko.xz if needed. */
export function readModule(file) {
  const buf = fs.readFileSync(file);
  if (file.endsWith('.ko')) return buf;
  if (file.endsWith('.ko.gz')) return zlib.gunzipSync(buf);
  // .ko.xz/.ko.zst need external tools; Debian 12 ships plain .ko
  // (CONFIG_MODULE_COMPRESS_NONE), so fail loudly rather than guess.
  throw new Error(`${file}: compressed module format not supported by the builder`);
}

/** Parses the .modinfo section of an ELF32 or ELF64 little-endian object. */
export function parseModinfo(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const is64 = elf[4] === 2;
  if (elf[5] !== 1) throw new Error('big-endian ELF not supported');
  const u = (off, n) => (n === 8 ? Number(elf.readBigUInt64LE(off)) : n === 4 ? elf.readUInt32LE(off) : elf.readUInt16LE(off));
  const shoff = is64 ? u(0x28, 8) : u(0x20, 4);
  const shentsize = u(is64 ? 0x3a : 0x2e, 2);
  const shnum = u(is64 ? 0x3c : 0x30, 2);
  const shstrndx = u(is64 ? 0x3e : 0x32, 2);
  const section = (i) => {
    const b = shoff + i * shentsize;
    return is64
      ? { name: u(b, 4), offset: u(b + 0x18, 8), size: u(b + 0x20, 8) }
      : { name: u(b, 4), offset: u(b + 0x10, 4), size: u(b + 0x14, 4) };
  };
  const strtab = section(shstrndx);
  const nameAt = (off) => {
    const start = strtab.offset + off;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };
  const info = {};
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameAt(s.name) !== '.modinfo') continue;
    for (const kv of elf.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      (info[kv.slice(0, eq)] ??= []).push(kv.slice(eq + 1));
    }
  }
  return info;
}

/** Maps module name -> path relative to modDir for every .ko under modDir/kernel. */
export function indexModules(modDir) {
  const index = new Map();
  const walk = (rel) => {
    for (const ent of fs.readdirSync(path.join(modDir, rel), { withFileTypes: true })) {
      const r = path.posix.join(rel, ent.name);
      if (ent.isDirectory()) walk(r);
      else if (/\.ko(\.(xz|zst|gz))?$/.test(ent.name)) index.set(moduleName(ent.name), r);
    }
  };
  walk('kernel');
  return index;
}

/**
 * Resolves `wanted` module names and everything they need.
 * @returns {{ order: {name:string, rel:string, deps:string[]}[], builtin: string[] }}
 *   order lists modules so that each comes after all of its dependencies (insmod order).
 */
export function resolveModules(modDir, wanted) {
  const index = indexModules(modDir);
  const builtinFile = path.join(modDir, 'modules.builtin');
  const builtin = new Set(fs.existsSync(builtinFile)
    ? fs.readFileSync(builtinFile, 'utf8').split('\n').filter(Boolean).map(moduleName)
    : []);
  const infoCache = new Map();
  const info = (name) => {
    if (!infoCache.has(name)) infoCache.set(name, parseModinfo(readModule(path.join(modDir, index.get(name)))));
    return infoCache.get(name);
  };
  const order = [];
  const done = new Set();
  const visiting = new Set();
  const builtinHits = new Set();
  const visit = (name, optional) => {
    name = name.replace(/-/g, '_');
    if (done.has(name)) return true;
    if (builtin.has(name)) { builtinHits.add(name); return true; }
    if (!index.has(name)) {
      if (optional) return false;
      throw new Error(`kernel module ${name} not found under ${modDir}`);
    }
    if (visiting.has(name)) throw new Error(`kernel module dependency cycle at ${name}`);
    visiting.add(name);
    const mi = info(name);
    const deps = (mi.depends ?? []).flatMap((d) => d.split(',')).filter(Boolean).map((d) => d.replace(/-/g, '_'));
    for (const d of deps) visit(d, false);
    // "softdep=pre: a b post: c": load the pre ones first when they exist as
    // modules (some name crypto aliases such as crc32c that we cannot resolve
    // without a full alias table; those are listed explicitly by the caller).
    for (const sd of mi.softdep ?? []) {
      const m = /pre:\s*([^:]*?)(?:\s+post:|$)/.exec(sd);
      if (m) for (const d of m[1].split(/\s+/).filter(Boolean)) visit(d, true);
    }
    visiting.delete(name);
    done.add(name);
    order.push({ name, rel: index.get(name), deps });
    return true;
  };
  for (const w of wanted) visit(w, false);
  const relOf = new Map(order.map((m) => [m.name, m.rel]));
  for (const m of order) m.deps = m.deps.filter((d) => relOf.has(d)).map((d) => relOf.get(d));
  return { order, builtin: [...builtinHits] };
}

/** modules.dep text (depmod's format: "path: dep dep ...", paths relative to the modules dir). */
export function modulesDep(order) {
  // depmod lists all transitive dependencies; modprobe loads them right to
  // left, so the list is a load order reversed: each module left of every
  // module it needs (a depth-first post-order, reversed). A pre-order is not
  // one: bochs needs drm_ttm_helper and ttm, and drm_ttm_helper needs ttm too.
  const byRel = new Map(order.map((m) => [m.rel, m]));
  const closure = (rel) => {
    const seen = new Set(), post = [];
    const visit = (r) => { for (const d of byRel.get(r).deps) if (!seen.has(d)) { seen.add(d); visit(d); post.push(d); } };
    visit(rel);
    return post.reverse();
  };
  return order.map((m) => `${m.rel}: ${closure(m.rel).join(' ')}`.trimEnd() + '\n').join('');
}
