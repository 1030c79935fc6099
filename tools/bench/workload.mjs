// The in-guest workload `npm run bench` times (bench.mjs) and
// tools/dev/workload-profile.mts profiles: CPU-bound, deterministic, the same
// bytes for every emulator.
export const WORKLOAD = [
  "time sh -c 'dd if=/dev/zero bs=1M count=32 2>/dev/null | md5sum'",
  "time sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo loop $i'",
  "time sh -c 'seq 1 40000 | gzip -c | gzip -dc | md5sum'",
];
