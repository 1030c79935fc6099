// Entry point of the `ringzero` command (bundled to build/cli/ringzero.mjs by
// tools/build-cli.mjs; bin/ringzero.mjs loads the bundle).
import { main } from "./main";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`ringzero: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  },
);
