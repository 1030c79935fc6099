// Saved states in the page: Save, a tree of the states kept in IndexedDB
// (web/store.ts; each remembers the state the machine was last restored from
// or saved as), Restore, Delete, Download as a .rzstate file, and loading one
// from a file (picker, drag-and-drop, ?state=URL). The snapshot itself is made
// and restored by the worker (web/host/snapshot.ts); a file that does not fit
// the running machine is refused in one line and changes nothing.

import type * as Comlink from "comlink";
import { readHeader } from "../host/snapshot";
import { StateStore, type StateInfo } from "../store";
import type { RestoredState, WorkerApi } from "../protocol";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export const STATE_EXT = ".rzstate";

/** What the page around the panel provides. */
export interface StatesHost {
  api(): Comlink.Remote<WorkerApi> | undefined;
  /** The console's last lines as plain text (the thumbnail). */
  thumbnail(): string;
  /** The machine now runs from this state: show where it is. */
  restored(s: RestoredState): void;
  error(message: string): void;
  clearError(): void;
}

/** Offer bytes as a file download. */
export function download(bytes: BlobPart, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const timeOf = (iso: string) => new Date(iso).toLocaleString();

export class States {
  readonly store = new StateStore();
  /** The state the running machine was last restored from or saved as (the next save's parent). */
  current?: string;

  constructor(private readonly host: StatesHost) {
    $("states-toggle").addEventListener("click", () => this.toggle());
    $("save-state").addEventListener("click", () => void this.openSave());
    $("s-save-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const field = $("s-name") as HTMLInputElement;
      void this.save(field.value.trim() || undefined).then(() => this.suggestName(), (err) => this.host.error(messageOf(err)));
    });
    $("s-load").addEventListener("click", () => ($("state-file") as HTMLInputElement).click());
    $("state-file").addEventListener("change", async (e) => {
      const input = e.target as HTMLInputElement;
      const f = input.files?.[0];
      input.value = "";
      if (f) await this.importFile(f).catch((err) => this.host.error(messageOf(err)));
    });
    void this.render();
  }

  get shown(): boolean { return !$("states").hidden; }

  toggle(show = !this.shown): void {
    $("states").hidden = !show;
    window.dispatchEvent(new Event("resize")); // the terminal refits
    if (show) { void this.render(); void this.suggestName(); }
  }

  private async openSave(): Promise<void> {
    this.toggle(true);
    await this.suggestName();
    const field = $("s-name") as HTMLInputElement;
    field.focus();
    field.select();
  }

  /** "state N", the first one free. */
  private async suggestName(): Promise<void> {
    const n = (await this.store.list().catch(() => [])).length;
    ($("s-name") as HTMLInputElement).value = await this.store.freeName(`state ${n + 1}`).catch(() => `state ${n + 1}`);
  }

  /** Save the running machine under `name` (default: the next "state N"). */
  async save(name?: string): Promise<StateInfo> {
    const api = this.host.api();
    if (!api) throw new Error("The machine is not running.");
    name ??= await this.store.freeName(`state ${(await this.store.list()).length + 1}`);
    if ((await this.store.list()).some((s) => s.name === name)) throw new Error(`A state named "${name}" exists already: pick another name.`);
    const thumbnail = this.host.thumbnail();
    const r = await api.snapshot({ name, parent: this.current, thumbnail });
    if ("error" in r) throw new Error(r.error);
    const info = { name, parent: this.current, created: readHeader(r.bytes, name).created, thumbnail };
    await this.store.add(info, r.bytes);
    this.current = name;
    this.host.clearError();
    await this.render();
    return { ...info, size: r.bytes.length };
  }

  /** Restore a kept state by name. */
  async restore(name: string): Promise<void> {
    const bytes = await this.store.bytes(name);
    if (!bytes) throw new Error(`There is no saved state named "${name}".`);
    await this.restoreBytes(bytes, name);
    this.current = name;
    await this.render();
  }

  private async restoreBytes(bytes: Uint8Array, name: string): Promise<RestoredState> {
    const api = this.host.api();
    if (!api) throw new Error("The machine is not running.");
    const r = await api.restoreState(bytes, name);
    if ("error" in r) throw new Error(r.error);
    this.host.clearError();
    this.host.restored(r);
    return r;
  }

  /** Restore a snapshot file and, once it is running, keep it in the list
   *  (under its saved name, or the file's, made unique). */
  async importBytes(bytes: Uint8Array, fileName = `imported${STATE_EXT}`): Promise<string> {
    const r = await this.restoreBytes(bytes, fileName);
    const base = r.name !== fileName ? r.name : fileName.replace(/\.rzstate$/i, "") || "imported";
    const name = await this.store.freeName(base);
    const parent = r.parent !== undefined && (await this.store.list()).some((s) => s.name === r.parent) ? r.parent : undefined;
    await this.store.add({ name, parent, created: r.created, thumbnail: r.thumbnail }, bytes);
    this.current = name;
    await this.render();
    return name;
  }

  importFile(f: File): Promise<string> {
    return f.arrayBuffer().then((b) => this.importBytes(new Uint8Array(b), f.name));
  }

  /** The running machine as a snapshot file (not kept). */
  async exportBlob(): Promise<Blob> {
    const api = this.host.api();
    if (!api) throw new Error("The machine is not running.");
    const r = await api.snapshot({ name: "export", parent: this.current, thumbnail: this.host.thumbnail() });
    if ("error" in r) throw new Error(r.error);
    return new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" });
  }

  async delete(name: string): Promise<void> {
    await this.store.delete(name);
    if (this.current === name) this.current = undefined;
    await this.render();
  }

  async download(name: string): Promise<void> {
    const bytes = await this.store.bytes(name);
    if (bytes) download(bytes as Uint8Array<ArrayBuffer>, `${name}${STATE_EXT}`);
  }

  /** The tree: roots are states whose parent is not kept; children under their parent. */
  async render(): Promise<void> {
    let all: StateInfo[];
    try { all = await this.store.list(); } catch (e) {
      $("s-tree").replaceChildren(Object.assign(document.createElement("li"), { textContent: `Saved states are unavailable: ${messageOf(e)}` }));
      return;
    }
    const names = new Set(all.map((s) => s.name));
    const children = new Map<string | undefined, StateInfo[]>();
    for (const s of all) {
      const p = s.parent !== undefined && names.has(s.parent) ? s.parent : undefined;
      children.set(p, [...(children.get(p) ?? []), s]);
    }
    const list = (parent: string | undefined): HTMLUListElement => {
      const ul = document.createElement("ul");
      for (const s of children.get(parent) ?? []) {
        const li = document.createElement("li");
        li.append(this.entry(s));
        if (children.has(s.name)) li.append(list(s.name));
        ul.append(li);
      }
      return ul;
    };
    const tree = list(undefined);
    $("s-tree").replaceChildren(...tree.childNodes);
    $("s-empty").hidden = all.length > 0;
  }

  private entry(s: StateInfo): HTMLElement {
    const div = document.createElement("div");
    div.className = "state";
    div.dataset.name = s.name;
    if (s.name === this.current) div.classList.add("current");
    const thumb = document.createElement("pre");
    thumb.className = "thumb";
    thumb.textContent = s.thumbnail;
    thumb.title = "Restore";
    thumb.addEventListener("click", () => this.act(() => this.restore(s.name)));
    const head = document.createElement("div");
    const title = document.createElement("b");
    title.textContent = s.name;
    const when = document.createElement("span");
    when.className = "when";
    when.textContent = ` ${timeOf(s.created)}, ${(s.size / 1048576).toFixed(1)} MiB`;
    head.append(title, when);
    const buttons = document.createElement("div");
    for (const [label, f] of [["Restore", () => this.restore(s.name)], ["Download", () => this.download(s.name)], ["Delete", () => this.delete(s.name)]] as const) {
      const b = document.createElement("button");
      b.textContent = label;
      b.dataset.action = label.toLowerCase();
      b.addEventListener("click", () => this.act(f));
      buttons.append(b);
    }
    div.append(head, thumb, buttons);
    return div;
  }

  private act(f: () => Promise<unknown>): void {
    f().catch((e) => this.host.error(messageOf(e)));
  }
}

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
