// A web server for disk and CD images in tests (tests/system/httpdisk.test.ts,
// tests/e2e/httpdisk.test.ts): one image at /NAME, optionally followed by a
// zero tail so that it is large, served with or without Range support (RFC 9110
// §14), or with short bodies from some offset on, counting what it sends.
// Other paths are 404.

import http from "node:http";
import type { AddressInfo } from "node:net";

export type Mode = "range" | "no-range";
/** `bytes`, then zeros up to `size`. */
export interface Image { bytes: Uint8Array; size: number }

/** The CORS headers a page on another origin needs to read an image in ranges
 *  (the Range request header allowed, Content-Range exposed). */
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "Range",
  "access-control-expose-headers": "Content-Range, Content-Length",
  "cross-origin-resource-policy": "cross-origin",
};

/** An HTTP server for one image at /`name`; other paths are 404. */
export class ImageServer {
  mode: Mode = "range";
  /** Ranges starting at or past this offset get half their bytes (a broken server). */
  shortFrom = Infinity;
  served = 0;
  requests = 0;
  private server!: http.Server;
  constructor(private readonly img: Image, private readonly cors = false, private readonly name = "cdrom.iso") {}

  get url(): string { return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${this.name}`; }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.answer(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
  }
  close(): Promise<void> { return new Promise((r) => this.server.close(() => r())); }

  /** Bytes first..last of the image (the tail is zeros). */
  private slice(first: number, last: number): Uint8Array {
    const out = new Uint8Array(last - first + 1);
    const iso = this.img.bytes;
    if (first < iso.length) out.set(iso.subarray(first, Math.min(last + 1, iso.length)));
    return out;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.cors) for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    if (req.method === "OPTIONS") { res.writeHead(204).end(); return; } // the CORS preflight for Range
    if (req.url !== `/${this.name}`) { res.writeHead(404, "Not Found").end("not here"); return; }
    this.requests++;
    const size = this.img.size;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (this.mode === "no-range" || !m) {
      res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
      // In pieces, as a file server streams it.
      for (let at = 0; at < size; at += 1 << 20) res.write(this.slice(at, Math.min(at + (1 << 20), size) - 1));
      res.end();
      this.served += size;
      return;
    }
    const first = Number(m[1]), last = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1);
    if (first > last) { res.writeHead(416, { "content-range": `bytes */${size}` }).end(); return; }
    let body = this.slice(first, last);
    // A broken server: half the bytes it was asked for, with a Content-Length that says so.
    if (first >= this.shortFrom) body = body.subarray(0, body.length >> 1);
    res.writeHead(206, { "content-range": `bytes ${first}-${last}/${size}`, "content-length": body.length });
    res.end(body);
    this.served += body.length;
  }
}
