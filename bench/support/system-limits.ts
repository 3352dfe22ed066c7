import { execFileSync, spawnSync } from 'child_process';
import { readFileSync } from 'fs';

/** Descriptors a process needs beyond its connections: modules, pipes, the server's own sockets. */
const SPARE_DESCRIPTORS = 200;
const RAISED = 'REALTIME_BENCH_LIMITS_RAISED';

function openFileLimits(): { soft: number; hard: number } {
  const [soft, hard] = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => (line.trim() === 'unlimited' ? Infinity : Number(line)));
  return { soft, hard };
}

function localPorts(): number | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return high - low + 1;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure this process (and the servers it starts, which inherit its limits) may hold `connections`
 * sockets: raises the soft open-file limit up to the hard one by running the bench again under
 * `ulimit -n`, or fails with what to change. Returns false when the bench was run again (its exit code
 * is set): the caller must stop.
 */
export function ensureLimits(connections: number): boolean {
  const needed = connections + SPARE_DESCRIPTORS;
  const ports = localPorts();
  if (ports !== undefined && ports < connections + SPARE_DESCRIPTORS) {
    throw new Error(
      `The bench opens ${connections} connections to 127.0.0.1, but only ${ports} local ports are configured ` +
        `(net.ipv4.ip_local_port_range). Widen the range (sysctl -w net.ipv4.ip_local_port_range="1024 65535") or run a smaller bench.`,
    );
  }
  const { soft, hard } = openFileLimits();
  if (soft >= needed) return true;
  if (hard < needed || process.env[RAISED]) {
    throw new Error(
      `The bench needs ${needed} open files per process for ${connections} connections; this shell allows ${soft} ` +
        `(hard limit ${hard}). Raise it ("ulimit -n ${needed}", or nofile in /etc/security/limits.conf) and run it again.`,
    );
  }
  const again = spawnSync('sh', ['-c', `ulimit -Sn ${needed} && exec "$@"`, 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RAISED]: '1' },
  });
  process.exitCode = again.status ?? 1;
  return false;
}
