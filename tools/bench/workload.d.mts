// Types for workload.mjs (the bench is plain JavaScript; tools/dev imports the list).
export declare const WORKLOAD: string[];
