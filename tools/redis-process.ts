import { ChildProcess, spawn } from 'child_process';
import { createServer } from 'net';

/** A free TCP port on the loopback interface (free when asked: good enough for a test's own servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` with these arguments; resolves with the process once it accepts connections,
 * rejects with its output when it exits before. `exited` runs when the process ends, whenever that is.
 */
export function spawnRedisServer(args: string[], exited: (child: ChildProcess) => void): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      exited(child);
      reject(new Error(`redis-server ${args.join(' ')} exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** Kills a process at once (SIGKILL, as a crash) and waits until it ended. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
