/**
 * The real server (startApp, as `npm start` runs it) in a child process for crash tests, with one difference: an
 * accepted event is leased to its process for TEST_INBOX_LEASE_MS instead of a minute, so a restart finishes
 * the work of a killed process without waiting. Prints `ready <port>` when /readyz would answer.
 */
import { loadConfig } from '../../../src/config.js';
import { installProcessHandlers } from '../../../src/logger.js';
import { startApp } from '../../../src/main.js';

const app = await startApp(loadConfig(), { inboxLeaseMs: Number(process.env.TEST_INBOX_LEASE_MS ?? '200') });
// As the command line does: errors nobody caught are logged by class, code and frames only.
installProcessHandlers(app.log);
process.stdout.write(`ready ${app.port}\n`);
// A test can make this process fail outside any turn, to see what the handler logs.
if (process.env.TEST_CRASH_WITH) setTimeout(() => Promise.reject(new Error(process.env.TEST_CRASH_WITH)), 50);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
