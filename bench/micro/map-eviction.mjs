// The cost of dropping a Map's oldest entry on every insert (a bounded first-in-first-out cache), with a new
// `keys().next()` each time versus one iterator kept across calls (src/core/fifo-map.ts). Run:
//   node bench/micro/map-eviction.mjs
// V8 keeps deleted Map slots until it rebuilds the table, and a new iterator steps over all of them.
const INSERTS = 200_000;

function run(size, oldestOf) {
  const map = new Map();
  for (let i = 0; i < size; i++) map.set(`k${i}`, i);
  const oldest = oldestOf(map);
  const started = process.hrtime.bigint();
  for (let i = size; i < size + INSERTS; i++) {
    map.delete(oldest());
    map.set(`k${i}`, i);
  }
  return Number(process.hrtime.bigint() - started) / INSERTS / 1000;
}

const fresh = (map) => () => map.keys().next().value;
const kept = (map) => {
  let keys = map.keys();
  return () => {
    let step = keys.next();
    if (step.done) {
      keys = map.keys();
      step = keys.next();
    }
    return step.value;
  };
};

console.log('entries   µs per insert: new keys().next()   one kept iterator');
for (const size of [4_096, 16_384, 100_000]) {
  console.log(
    `${String(size).padStart(7)}   ${run(size, fresh).toFixed(2).padStart(28)}   ${run(size, kept).toFixed(2).padStart(19)}`,
  );
}
