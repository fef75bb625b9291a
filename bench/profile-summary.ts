// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and the
// self time per package / source folder. Usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [skip-ms]
// [requests] (skip the first ms of the profile, e.g. start-up; divide by the requests served to get µs/req).
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function summariseProfile(file: string, top = 25, skipMs = 0, perRequests = 0): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < skipMs * 1000) continue;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const where = url ? `${url.replace(/.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    let a: string;
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm) a = nm[1]!;
    else if (/\/dist\//.test(url)) a = url.replace(/.*\/dist\//, '').replace(/\/[^/]+$/, '/');
    else if (url.startsWith('node:')) a = url;
    else a = n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : url || '(native)';
    area.set(a, (area.get(a) ?? 0) + us);
  }
  const idle = [...self]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((a, [, us]) => a + us, 0);
  const fmt = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(
        ([name, us]) =>
          `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms${perRequests ? `  ${(us / perRequests).toFixed(1).padStart(7)} µs/req` : ''}  ${name}`,
      )
      .join('\n');
  return `total sampled ${(total / 1000).toFixed(0)} ms, busy ${((total - idle) / 1000).toFixed(0)} ms${perRequests ? ` = ${((total - idle) / perRequests).toFixed(1)} µs/req` : ''}\n-- self time by area --\n${fmt(area, 20)}\n-- self time by function --\n${fmt(fn, top)}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [skip-ms] [requests]');
    process.exit(2);
  }
  console.log(
    summariseProfile(
      file,
      Number(process.argv[3] ?? '25'),
      Number(process.argv[4] ?? '0'),
      Number(process.argv[5] ?? '0'),
    ),
  );
}
