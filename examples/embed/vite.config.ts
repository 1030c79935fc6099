// The package finds its worker (worker.mjs) and wasm next to its own bundle by
// URL; Vite's dependency pre-bundling would move the bundle away from them.
import { defineConfig } from "vite";

export default defineConfig({
  optimizeDeps: { exclude: ["ringzero"] },
  server: { fs: { allow: ["../.."] } },
});
