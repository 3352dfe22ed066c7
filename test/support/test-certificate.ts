import { execFile } from 'child_process';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

export interface TestCertificate {
  /** PEM file paths, as the demo's TLS_KEY and TLS_CERT take them. */
  keyFile: string;
  certFile: string;
  key: Buffer;
  cert: Buffer;
  /** Removes the files. */
  remove(): Promise<void>;
}

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl in a temporary directory. */
export async function makeTestCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'realtime-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ]);
  const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)]);
  return { keyFile, certFile, key, cert, remove: () => rm(dir, { recursive: true, force: true }) };
}
