// V8's heap sizing for a busy server. Under load, objects of requests in flight outlive the young generation's
// collections and are promoted, becoming garbage in the old generation soon after; V8 lets the old generation grow
// to about four times its live size before collecting it, so a Scopewise instance went from about 110 MiB resident
// idle to over 200 MiB under load (`npm run bench`). Letting it grow by half at most keeps it under 150 MiB, for a
// few more (incremental) mark-compacts and no measurable CPU per request. An operator's own setting wins.
import v8 from 'node:v8';

export const HEAP_GROWING_FLAG = '--heap-growing-percent';
export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag to set, or undefined when the operator already set one (node's flags or NODE_OPTIONS). */
export function heapTuningFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) =>
    /^--heap[-_]growing[-_]percent(=|$)/.test(arg),
  );
  return given ? undefined : `${HEAP_GROWING_FLAG}=${HEAP_GROWING_PERCENT}`;
}

/** Applies `heapTuningFlag` to this process; call it first in an entry point (V8 reads the flag at each collection). */
export function tuneHeap(): string | undefined {
  const flag = heapTuningFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) v8.setFlagsFromString(flag);
  return flag;
}
