import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time by function and by file of a .cpuprofile: `node dist-bench/bench/profile-summary.js FILE [TOP]`. */
const [file, topArg = "40"] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, "utf8")) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)")
  .reduce((a, [, us]) => a + us, 0);
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const where = frame.url.replace(/^.*\/(node_modules\/[^/]+|dist-bench\/src|dist-bench\/bench)\//, "$1/");
  add(byFunction, `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`, us);
  add(byFile, where || frame.functionName, us);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (busy ${((total - idle) / 1000).toFixed(0)} ms)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
    console.log(`${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${key}`);
  }
};
show("self time by file", byFile);
show("self time by function", byFunction);

// Inclusive time of our own functions (src/ only), so a path like "record a change" shows whole.
const inclusive = new Map<number, number>();
const totalOf = (id: number): number => {
  const known = inclusive.get(id);
  if (known !== undefined) return known;
  const node = byId.get(id)!;
  const sum = (selfUs.get(id) ?? 0) + (node.children ?? []).reduce((acc, child) => acc + totalOf(child), 0);
  inclusive.set(id, sum);
  return sum;
};
const byOwnFunction = new Map<string, number>();
const onStack = new Set<string>();
const walk = (id: number) => {
  const node = byId.get(id)!;
  const frame = node.callFrame;
  const key = frame.url.includes("/src/")
    ? `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*\/src\//, "src/")}:${frame.lineNumber + 1}`
    : undefined;
  const counted = key !== undefined && !onStack.has(key);
  if (counted) {
    add(byOwnFunction, key, totalOf(id));
    onStack.add(key);
  }
  for (const child of node.children ?? []) walk(child);
  if (counted) onStack.delete(key);
};
walk(profile.nodes[0]!.id);
show("inclusive time of src/ functions", byOwnFunction);
