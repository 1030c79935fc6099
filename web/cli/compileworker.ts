// The command line's compile worker thread (web/cli/compilethread.ts starts it):
// web/jit/compilework.ts on Node's worker messages.

import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { CompileWork, type CompileRequest } from "../jit/compilework";

const replies = (workerData as { replies: MessagePort }).replies;
// setImmediate runs after the messages already queued for this thread.
const work = new CompileWork((r) => replies.postMessage(r), (f) => setImmediate(f));
parentPort!.on("message", (req: CompileRequest) => work.take(req));
parentPort!.postMessage("ready"); // (compilethread.ts waits for it)
