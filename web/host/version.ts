/** RingZero's version (package.json's), shown by `ringzero -version` and the
 *  monitor, and written into recordings. */
export const RINGZERO_VERSION = "0.1.0";
