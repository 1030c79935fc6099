// The page's compile worker, started by the machine's worker (web/worker.ts
// startCompileWorker) when the page asks for ?compile=thread:
// web/jit/compilework.ts on this worker's messages. Its replies carry compiled
// WebAssembly.Modules, which a worker may post to another of the same page.

import { CompileWork, type CompileRequest } from "./jit/compilework";

declare const self: DedicatedWorkerGlobalScope;
// A zero-delay timer runs after the messages already queued for this worker.
const work = new CompileWork((r) => self.postMessage(r), (f) => setTimeout(f, 0));
self.onmessage = (e: MessageEvent<CompileRequest>) => work.take(e.data);
self.postMessage("ready"); // (startCompileWorker waits for it)
