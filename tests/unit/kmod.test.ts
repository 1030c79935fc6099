// modules.dep as tools/guest/kmod.mjs writes it for the guest's initramfs:
// busybox modprobe (like kmod's) loads a module's listed dependencies from the
// right end of its line to the left, so every dependency must stand left of
// what it needs. The shape that broke it: bochs needs drm_ttm_helper and ttm,
// drm_ttm_helper needs ttm and drm, ttm needs drm (Debian's 6.1 .modinfo).

import { test, expect } from "vitest";
// @ts-expect-error: a plain .mjs build script without types
import { modulesDep } from "../../tools/guest/kmod.mjs";

test("every module's dependencies load, right to left, after the modules they need", () => {
  const order = [
    { rel: "drm.ko", deps: [] },
    { rel: "ttm.ko", deps: ["drm.ko"] },
    { rel: "drm_ttm_helper.ko", deps: ["drm.ko", "ttm.ko"] },
    { rel: "bochs.ko", deps: ["drm.ko", "drm_ttm_helper.ko", "ttm.ko"] },
  ];
  const lines = Object.fromEntries((modulesDep(order) as string).trim().split("\n").map((l) => {
    const [m, deps] = l.split(":");
    return [m, deps.trim() ? deps.trim().split(" ") : []];
  }));
  expect(lines["drm.ko"]).toEqual([]);
  expect(lines["ttm.ko"]).toEqual(["drm.ko"]);
  // Loaded right to left: drm, then ttm, then drm_ttm_helper.
  expect(lines["drm_ttm_helper.ko"]).toEqual(["ttm.ko", "drm.ko"]);
  expect(lines["bochs.ko"]).toEqual(["drm_ttm_helper.ko", "ttm.ko", "drm.ko"]);
});
