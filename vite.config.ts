import { defineConfig } from "vite";

// Cross-origin isolation (COOP + COEP) makes SharedArrayBuffer available, which the
// page uses for the console ring between the worker and the page. Static hosts
// need the same two headers (README "The page"; public/_headers for hosts that
// read that file).
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: ".",
  // A missing image must be a 404, not the page (no single-page-app fallback).
  appType: "mpa",
  publicDir: "public",
  server: { headers: isolation, host: "127.0.0.1", port: 5173 },
  preview: { headers: isolation, host: "127.0.0.1", port: 4173 },
  worker: { format: "es" },
  build: { outDir: "dist", target: "es2022", assetsInlineLimit: 0 },
});
