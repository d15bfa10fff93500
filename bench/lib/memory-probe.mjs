// Preloaded into a Heimdall process by the cache-memory scenario (node --expose-gc --import <this file>): on SIGUSR2
// it runs full garbage collections and prints one JSON line with the process's memory, so that the harness measures
// what the process holds, not garbage the collector has not reached yet. Nothing else in Heimdall changes.
process.on('SIGUSR2', () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ memoryProbe: { rss, heapUsed, heapTotal, external, arrayBuffers } })}\n`);
});
