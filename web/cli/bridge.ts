// `ringzero gdb-bridge [--port 1234] [--ws-port 1235]`: gdb in the page. Listens
// for gdb on TCP (127.0.0.1:PORT) and for one page on a WebSocket
// (ws://127.0.0.1:WS-PORT, web/cli/websocket.ts); the page connects when its
// user clicks "Connect gdb bridge" in the inspector, and its worker runs the gdb
// stub (web/host/gdb.ts) against its machine. The bridge only relays: gdb's
// bytes go to the page as binary messages, the page's back to gdb. Text
// messages to the page say when gdb comes and goes ("gdb-attach",
// "gdb-detach"), so that the stub pauses the machine and drops gdb's
// breakpoints as it does on the command line.
//
// One gdb and one page at a time; a new one replaces the old. gdb with no page
// connected gets the error reply "E.no page connected ..." to its first packet
// (gdb prints it) and is disconnected; the bridge says so on stderr too.

import { createServer as createTcpServer, type Socket } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { acceptWebSocket, type WebSocketConnection } from "./websocket";

export const BRIDGE_USAGE = "usage: ringzero gdb-bridge [--port N] [--ws-port N]\n" +
  "  Relay gdb (target remote :N, default 1234) to a RingZero page that clicked\n" +
  "  \"Connect gdb bridge\" (ws://localhost:N, default 1235).\n";

export interface BridgeOptions { port: number; wsPort: number; host?: string }

/** Parse the subcommand's arguments; a string is the one-line error. */
export function parseBridgeArgs(argv: string[]): BridgeOptions | string | "help" {
  const o: BridgeOptions = { port: 1234, wsPort: 1235 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") return "help";
    const m = /^--(port|ws-port)(?:=(.*))?$/.exec(a);
    if (!m) return `gdb-bridge: unknown argument '${a}' (ringzero gdb-bridge --help lists them)`;
    const v = m[2] ?? argv[++i];
    const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= 1 && n <= 65535)) return `gdb-bridge: --${m[1]} needs a port number (1-65535), got '${v ?? ""}'`;
    if (m[1] === "port") o.port = n; else o.wsPort = n;
  }
  if (o.port === o.wsPort) return "gdb-bridge: --port and --ws-port must differ";
  return o;
}

/** An RSP packet with its checksum. */
function rspPacket(body: string): string {
  let sum = 0;
  for (const c of body) sum = (sum + c.charCodeAt(0)) & 0xff;
  return `$${body}#${sum.toString(16).padStart(2, "0")}`;
}

export interface Bridge { close(): Promise<void> }

/** Start both listeners; resolves when they listen, rejects with a one-line reason. */
export async function startBridge(o: BridgeOptions, log: (line: string) => void): Promise<Bridge> {
  const host = o.host ?? "127.0.0.1";
  let page: WebSocketConnection | null = null;
  let gdb: Socket | null = null;

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { "Content-Type": "text/plain", Upgrade: "websocket" });
    res.end("RingZero gdb bridge: connect with a WebSocket (the inspector's \"Connect gdb bridge\").\n");
  });
  http.on("upgrade", (req, socket) => {
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    if (page) { log("gdb-bridge: another page connected; it replaces the first"); page.close(1001); }
    page = ws;
    log(`gdb-bridge: page connected (${req.headers.origin ?? "no origin"})`);
    if (gdb) ws.sendText("gdb-attach");
    ws.onMessage = (m) => { if ("binary" in m && gdb) gdb.write(m.binary); };
    ws.onClose = () => {
      if (page !== ws) return;
      page = null;
      log("gdb-bridge: page disconnected");
      if (gdb) { gdb.destroy(); gdb = null; }
    };
  });

  const tcp = createTcpServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => {});
    if (!page) {
      log(`gdb-bridge: gdb connected, but no page is: open RingZero and click "Connect gdb bridge" (ws://localhost:${o.wsPort}) first`);
      // Answer the first packet with an error text gdb prints, then hang up.
      socket.once("data", () => {
        socket.end("+" + rspPacket(`E.no page connected to the gdb bridge: click "Connect gdb bridge" in RingZero's inspector (ws://localhost:${o.wsPort})`));
      });
      return;
    }
    if (gdb) { log("gdb-bridge: another gdb connected; it replaces the first"); gdb.destroy(); page.sendText("gdb-detach"); }
    gdb = socket;
    log("gdb-bridge: gdb connected");
    page.sendText("gdb-attach");
    socket.on("data", (b: Buffer) => page?.sendBinary(new Uint8Array(b)));
    socket.on("close", () => {
      if (gdb !== socket) return;
      gdb = null;
      log("gdb-bridge: gdb disconnected");
      page?.sendText("gdb-detach");
    });
  });

  const listen = (server: { listen(port: number, host: string, cb: () => void): unknown; once(e: "error", f: (e: NodeJS.ErrnoException) => void): unknown }, port: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", (e) => reject(new Error(`gdb-bridge: cannot listen for ${what} on ${host}:${port} (${e.code ?? e.message})`)));
      server.listen(port, host, () => resolve());
    });
  await listen(tcp, o.port, "gdb");
  try {
    await listen(http, o.wsPort, "the page");
  } catch (e) {
    tcp.close();
    throw e;
  }
  log(`gdb-bridge: gdb: target remote localhost:${o.port}; page: ws://localhost:${o.wsPort}`);
  return {
    close: async () => {
      const p = page as WebSocketConnection | null, g = gdb as Socket | null;
      p?.close(1001); g?.destroy();
      await Promise.all([new Promise((r) => tcp.close(r)), new Promise((r) => { http.close(r); http.closeAllConnections(); })]);
    },
  };
}

/** The subcommand: runs until killed; returns the exit status on a usage error
 *  (2, one line, as the main command's) or when it cannot listen (1). */
export async function bridgeMain(argv: string[]): Promise<number> {
  const o = parseBridgeArgs(argv);
  if (o === "help") { process.stdout.write(BRIDGE_USAGE); return 0; }
  if (typeof o === "string") { process.stderr.write(`ringzero: ${o}\n`); return 2; }
  try {
    await startBridge(o, (l) => process.stderr.write(l + "\n"));
  } catch (e) {
    process.stderr.write(`ringzero: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return new Promise<number>(() => {}); // until a signal ends the process
}
