/** The fan-out targets of the benchmark brief, shared by bench:fanout and the report of npm run bench. */
export const FANOUT_TARGETS = { p99Ms: 500, bytesPerIdleSubscriber: 30 * 1024 } as const;
