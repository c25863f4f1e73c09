/**
 * A broadcast in a process of its own, for the kill test: argv = back end (`sqlite` or `redis`), the database path
 * or Redis namespace, the platform double's Slack API URL and Teams service URL, and the audience as JSON. It runs
 * the real outbound path against the double (test/support/broadcast-rig.ts); the parent kills it with SIGKILL
 * half-way and starts it again on the same database, then reads the ledger's counts from standard output.
 * bench/broadcast.ts runs it too (with BB_RIG_POLL_MS and BB_RIG_LEASE_MS).
 */
import { type AudienceSpec, openRig } from '../../support/broadcast-rig.js';

const [backend, where, apiUrl, serviceUrl, specText] = process.argv.slice(2) as [
  'sqlite' | 'redis',
  string,
  string,
  string,
  string,
];
const spec = JSON.parse(specText) as AudienceSpec;
const rig = await openRig({
  backend,
  ...(backend === 'sqlite' ? { dbPath: where } : { namespace: where, redisUrl: process.env.REDIS_URL }),
  apiUrl,
  serviceUrl,
  scale: 10,
  // The test polls often and frees a killed process's jobs after a second; the benchmark passes the app's defaults.
  pollMs: Number(process.env.BB_RIG_POLL_MS ?? 20),
  leaseMs: Number(process.env.BB_RIG_LEASE_MS ?? 1000),
});
await rig.seed(spec);
const counts = await rig.run('kill', spec);
process.stdout.write(`${JSON.stringify(counts)}\n`);
await rig.close();
