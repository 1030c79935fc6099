// A synchronous HTTP range GET for the command line (Node only), the fetcher
// web/host/httpdisk.ts's HttpBackend reads through. The machine asks for sectors
// inside the guest's OUT instruction (env.blockIo is synchronous), and Node has no
// synchronous HTTP client, so a worker thread does the fetch() while this thread
// sleeps in Atomics.wait on a shared word:
//
//   main: post {id, first, last} -> Atomics.wait(word == 0)
//   worker: fetch(url, Range) -> post {id, status, contentRange, body} -> word = 1, notify
//   main: receiveMessageOnPort -> the reply with that id (a late reply to a request
//         that timed out is dropped)
//
// The page's worker does the same with a synchronous XMLHttpRequest (web/worker.ts).

import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { RangeResponse } from "../host/httpdisk";

/** The worker thread's program (a script, not a module: the CLI is one bundled
 *  file, so the worker is given its source). A non-206 body is not read: a server
 *  that stopped honouring Range would send the whole image. */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { port, word, url, timeoutMs } = workerData;
const done = new Int32Array(word);
port.on("message", async ({ id, first, last }) => {
  let reply;
  try {
    const res = await fetch(url, { headers: { Range: "bytes=" + first + "-" + last }, signal: AbortSignal.timeout(timeoutMs) });
    let body = new Uint8Array(0);
    if (res.status === 206) body = new Uint8Array(await res.arrayBuffer());
    else await res.body?.cancel();
    reply = { id, status: res.status, contentRange: res.headers.get("content-range"), body };
  } catch (e) {
    const code = e && e.cause && e.cause.code;
    const why = e && e.name === "TimeoutError" ? "no answer in " + timeoutMs / 1000 + " s"
      : code ? "could not connect (" + code + ")" : String((e && e.message) || e) + (e && e.cause && e.cause.message ? " (" + e.cause.message + ")" : "");
    reply = { id, error: why };
  }
  port.postMessage(reply, reply.body ? [reply.body.buffer] : []);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
`;

type Reply = { id: number; error: string } | ({ id: number } & RangeResponse);

export class SyncRangeFetcher {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** 0 while a request is out; the worker sets 1 after posting a reply. */
  private readonly word = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;

  constructor(readonly url: string, private readonly timeoutMs = 30_000) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true, workerData: { port: port2, word: this.word.buffer, url, timeoutMs }, transferList: [port2],
    });
    this.worker.unref(); // it never keeps the command running
  }

  /** GET bytes first..last; throws an Error saying why when there is no answer. */
  readonly fetch = (first: number, last: number): RangeResponse => {
    const id = ++this.seq;
    // The worker's own timeout answers first; this one covers a worker that died.
    const deadline = Date.now() + this.timeoutMs + 2000;
    Atomics.store(this.word, 0, 0);
    this.port.postMessage({ id, first, last });
    for (;;) {
      for (let m; (m = receiveMessageOnPort(this.port));) {
        const r = m.message as Reply;
        if (r.id !== id) continue;
        if ("error" in r) throw new Error(r.error);
        return { status: r.status, contentRange: r.contentRange, body: r.body };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer in ${Math.round(this.timeoutMs / 1000)} s`);
      Atomics.wait(this.word, 0, 0, left);
      Atomics.store(this.word, 0, 0);
    }
  };

  close(): void { void this.worker.terminate(); }
}
