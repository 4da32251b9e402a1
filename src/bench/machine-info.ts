/** The machine a bench ran on: what its figures should be read against. */
import { availableParallelism, cpus, freemem, hostname, platform, release, totalmem, arch } from 'node:os';

export interface MachineInfo {
  hostname: string;
  os: string;
  cpuModel: string;
  /** Cores Node may use (availableParallelism: respects CPU affinity). */
  cores: number;
  memoryBytes: number;
  freeMemoryBytes: number;
  node: string;
  ffmpegVersion: string;
}

export function describeMachine(ffmpegVersion: string): MachineInfo {
  return {
    hostname: hostname(),
    os: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: process.version,
    ffmpegVersion,
  };
}
