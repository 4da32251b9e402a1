/**
 * Process-tree memory and CPU read from Linux /proc: what the OS says hlsify and its ffmpeg children use,
 * not just process.memoryUsage(). Where /proc is missing (macOS) every reader returns undefined.
 */
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';

export interface ProcEntry {
  pid: number;
  ppid: number;
  rssBytes: number;
  /** utime + stime of the process itself, seconds. */
  cpuSeconds: number;
}

export interface ProcConstants {
  pageSize: number;
  clockTicks: number;
}

/** Page size and clock ticks per second (getconf), with the usual Linux values as fallback. */
export async function procConstants(): Promise<ProcConstants> {
  const read = async (name: string, fallback: number) => {
    const result = await execa('getconf', [name], { reject: false, stdin: 'ignore', timeout: 5_000 });
    const value = Number(String(result.stdout).trim());
    return result.exitCode === 0 && value > 0 ? value : fallback;
  };
  return { pageSize: await read('PAGESIZE', 4096), clockTicks: await read('CLK_TCK', 100) };
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
export function parseStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
}

// Field numbers of proc(5), counted from 1; parseStatFields starts at field 3 (state).
const field = (fields: string[], n: number) => Number(fields[n - 3] ?? 0);

/** One reading of every process in /proc; undefined where /proc is not available. */
export async function readProcTable(constants: ProcConstants): Promise<Map<number, ProcEntry> | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcEntry>();
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
        if (!stat) return;
        const fields = parseStatFields(stat);
        table.set(Number(name), {
          pid: Number(name),
          ppid: field(fields, 4),
          rssBytes: field(fields, 24) * constants.pageSize,
          cpuSeconds: (field(fields, 14) + field(fields, 15)) / constants.clockTicks,
        });
      }),
  );
  return table;
}

/** `roots` and all their descendants present in `table`. */
export function descendantsOf(table: Map<number, ProcEntry>, roots: Iterable<number>): ProcEntry[] {
  const children = new Map<number, number[]>();
  for (const entry of table.values()) {
    const list = children.get(entry.ppid) ?? [];
    list.push(entry.pid);
    children.set(entry.ppid, list);
  }
  const found: ProcEntry[] = [];
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const entry = table.get(pid);
    if (entry) found.push(entry);
    stack.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * CPU seconds of this process plus every child it has waited for (utime+stime+cutime+cstime of
 * /proc/self/stat, fields 14-17): exact for ffmpeg children once they have exited. Undefined without /proc.
 */
export async function selfAndChildrenCpuSeconds(constants: ProcConstants): Promise<number | undefined> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = parseStatFields(stat);
  return (field(fields, 14) + field(fields, 15) + field(fields, 16) + field(fields, 17)) / constants.clockTicks;
}

/** CPU seconds (utime+stime) of one process so far; undefined without /proc or once it is gone. */
export async function processCpuSeconds(pid: number, constants: ProcConstants): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = parseStatFields(stat);
  return (field(fields, 14) + field(fields, 15)) / constants.clockTicks;
}
