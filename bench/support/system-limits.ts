import { execFileSync, spawnSync } from 'child_process';
import { readFileSync } from 'fs';

/** Descriptors a process needs beyond its connections: modules, pipes, the server's own sockets. */
const SPARE_DESCRIPTORS = 200;
const RAISED = 'REALTIME_BENCH_LIMITS_RAISED';
/** Bit 24 of a capability set: CAP_SYS_RESOURCE, which raising a hard limit takes. */
const CAP_SYS_RESOURCE = 24n;
/** Connections per loopback source address, below the local ports the kernel hands out per address (about 28,000). */
const PER_SOURCE_ADDRESS = Math.min(25_000, (localPorts() ?? Infinity) - SPARE_DESCRIPTORS);
/** The first source address the many-address workloads bind to (127.0.0.1 is left to the others). */
const FIRST_SOURCE = (127 << 24) + 2;

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

function mayRaiseHardLimits(): boolean {
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

/** The connections one process may hold: its hard open-file limit less what it needs besides. */
export function socketsPerProcess(): number {
  return openFileLimits().hard - SPARE_DESCRIPTORS;
}

/**
 * Why one process cannot hold `connections` sockets, in the words of the system that refused (undefined
 * when it can): the hard open-file limit, and what raising it answered.
 */
export function socketLimitReason(connections: number): string | undefined {
  const { hard } = openFileLimits();
  if (connections + SPARE_DESCRIPTORS <= hard) return undefined;
  const raise = spawnSync('sh', ['-c', `ulimit -Hn ${connections + SPARE_DESCRIPTORS}`], { encoding: 'utf8' });
  const answer = raise.status === 0 ? 'allowed' : (raise.stderr.trim() || `exit ${raise.status}`);
  return `hard open-file limit ${hard} per process (raising it to ${connections + SPARE_DESCRIPTORS}: ${answer}; ` +
    `${mayRaiseHardLimits() ? 'the process has' : 'no'} CAP_SYS_RESOURCE)`;
}

/** The loopback source address of connection `index`, from 127.0.0.2 upward, `PER_SOURCE_ADDRESS` each. */
export function sourceAddressOf(index: number): string {
  const address = FIRST_SOURCE + Math.floor(index / PER_SOURCE_ADDRESS);
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
}

/**
 * Makes sure this process (and the servers and load generators it starts, which inherit its limits) may
 * hold `connections` sockets, `fromOneAddress` of them from 127.0.0.1: raises the soft open-file limit up
 * to the hard one (both, with CAP_SYS_RESOURCE) by running the bench again under `ulimit -n`, or fails
 * with what to change. Returns false when the bench was run again (its exit code is set): the caller must stop.
 */
export function ensureLimits(connections: number, fromOneAddress = connections): boolean {
  const needed = connections + SPARE_DESCRIPTORS;
  const ports = localPorts();
  if (ports !== undefined && ports < fromOneAddress + SPARE_DESCRIPTORS) {
    throw new Error(
      `The bench opens ${fromOneAddress} connections to 127.0.0.1, but only ${ports} local ports are configured ` +
        `(net.ipv4.ip_local_port_range). Widen the range (sysctl -w net.ipv4.ip_local_port_range="1024 65535") or run a smaller bench.`,
    );
  }
  const { soft, hard } = openFileLimits();
  if (soft >= needed) return true;
  const raiseHard = hard < needed && mayRaiseHardLimits();
  if ((hard < needed && !raiseHard) || process.env[RAISED]) {
    throw new Error(
      `The bench needs ${needed} open files per process for ${connections} connections; this shell allows ${soft} ` +
        `(hard limit ${hard}). Raise it ("ulimit -n ${needed}", or nofile in /etc/security/limits.conf) and run it again.`,
    );
  }
  const again = spawnSync('sh', ['-c', `ulimit -${raiseHard ? '' : 'S'}n ${needed} && exec "$@"`, 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RAISED]: '1' },
  });
  process.exitCode = again.status ?? 1;
  return false;
}
