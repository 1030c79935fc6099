// The command line's compile worker (web/jit/compilework.ts): a worker thread
// running web/cli/compileworker.ts (bundled beside ringzero.mjs as
// compileworker.mjs). Its replies come on a MessagePort that the machine's
// thread reads without waiting (receiveMessageOnPort) between run slices, so
// the run loop need not yield to Node's event loop for them.

import { Worker, MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { guardedChannel, type CompileChannel, type CompileReply } from "../jit/compilework";

/** Start the worker; resolves once it runs, rejects if it cannot start. */
export async function startCompileThread(): Promise<CompileChannel> {
  // From the bundle, its sibling compileworker.mjs; from the sources (tools
  // run by tsx), the TypeScript file through tsx's loader, which a worker
  // thread does not inherit.
  const { port1, port2 } = new MessageChannel();
  const options = { workerData: { replies: port2 }, transferList: [port2] };
  const worker = import.meta.url.endsWith(".ts")
    ? new Worker(`import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./compileworker.ts", import.meta.url).href)}); });`, { ...options, eval: true })
    : new Worker(new URL("./compileworker.mjs", import.meta.url), options);
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", (err: Error) => reject(new Error(`the compile worker thread did not start: ${err.message}`)));
  });
  // Neither keeps the process alive: the command line exits when its machine does.
  worker.unref();
  port1.unref();
  const { channel, fail } = guardedChannel("the compile worker thread",
    (req, transfer) => worker.postMessage(req, transfer as never),
    () => {
      const out: CompileReply[] = [];
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) out.push(m.message as CompileReply);
      return out;
    });
  worker.on("error", (err: Error) => fail(err.message));
  return channel;
}
