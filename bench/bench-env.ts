/**
 * The settings the benchmarks' servers run with: production mode with production logging (info), fixed keys, and
 * Slack configured with its Web API pointed at a port where nothing listens (a send would fail, not leave the
 * machine). One place, so every benchmark measures the same configuration.
 */
export const BENCH_SECRET = 'bench-signing-secret-0123456789abcdef';

export function benchEnv(databasePath: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_PATH: databasePath,
    PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789abcdef0123456789',
    DATA_KEY: 'b'.repeat(64),
    SLACK_SIGNING_SECRET: BENCH_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: 'http://127.0.0.1:59999/api/',
  };
}
