/** The machine a proof run ran on, for its report. */
import * as os from 'os';

export function machine(): string {
  const cpus = os.cpus();
  return `node ${process.version}, ${os.availableParallelism?.() ?? cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ')}`;
}
