import { defineConfig, type Plugin } from "vite";

// Cross-origin isolation (COOP + COEP) makes SharedArrayBuffer available, which the
// page uses for the console ring between the worker and the page. Static hosts
// need the same two headers (README "The page"; public/_headers for hosts that
// read that file).
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** The guest's images are binary and mostly compressed already (bzImage, the
 *  gzipped initrd, the deflated snapshot): `vite preview` would gzip them on
 *  every request, which costs the local server more time than the transfer
 *  (the 13 MB snapshot took half a second), so they are served as they are. */
const imagesUncompressed: Plugin = {
  name: "ringzero-images-uncompressed",
  configurePreviewServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url?.startsWith("/images/")) delete req.headers["accept-encoding"];
      next();
    });
  },
};

export default defineConfig({
  root: ".",
  plugins: [imagesUncompressed],
  // A missing image must be a 404, not the page (no single-page-app fallback).
  appType: "mpa",
  publicDir: "public",
  server: { headers: isolation, host: "127.0.0.1", port: 5173 },
  preview: { headers: isolation, host: "127.0.0.1", port: 4173 },
  worker: { format: "es" },
  build: { outDir: "dist", target: "es2022", assetsInlineLimit: 0 },
});
