import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prefix of Bubbelbreker's own metrics; the process/nodejs defaults keep their usual names. */
export const METRIC_PREFIX = 'bubbelbreker_';

/** The registry served on /metrics and the metrics the bot records. */
export interface Metrics {
  readonly registry: Registry;
  /** Inbound events by platform, kind (message, action, …) and outcome (ok, error, duplicate, …). */
  readonly eventsTotal: Counter<'platform' | 'kind' | 'outcome'>;
  /** Time from receiving an event to finishing its turn. */
  readonly eventDuration: Histogram<'platform'>;
  /** Events dropped as platform redeliveries. */
  readonly dedupeHitsTotal: Counter<'platform'>;
  /** Outbound platform calls by outcome (ok, rate_limited, unreachable, error). */
  readonly outboundTotal: Counter<'platform' | 'outcome'>;
  /** HTTP answers by mounted route and status code: alert when non-2xx on /slack/events passes 2 % (Slack disables at 5 %). */
  readonly httpResponsesTotal: Counter<'route' | 'status'>;
}

/** A private registry (never prom-client's global one), so tests and replicas never share state. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    eventsTotal: new Counter({
      name: `${METRIC_PREFIX}events_total`,
      help: 'Inbound chat events handled, by platform, kind and outcome.',
      labelNames: ['platform', 'kind', 'outcome'] as const,
      registers,
    }),
    eventDuration: new Histogram({
      name: `${METRIC_PREFIX}event_duration_seconds`,
      help: 'Time to handle one inbound event, from receipt to the end of its turn.',
      labelNames: ['platform'] as const,
      // A bare Bolt app spends ~0.2 ms per event (docs/benchmarks.md); Teams replies can take seconds.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    dedupeHitsTotal: new Counter({
      name: `${METRIC_PREFIX}dedupe_hits_total`,
      help: 'Inbound events recognised as redeliveries and skipped.',
      labelNames: ['platform'] as const,
      registers,
    }),
    httpResponsesTotal: new Counter({
      name: `${METRIC_PREFIX}http_responses_total`,
      help: 'HTTP responses by route (mounted paths only; anything else is "other") and status code.',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
    outboundTotal: new Counter({
      name: `${METRIC_PREFIX}outbound_total`,
      help: 'Outbound platform calls, by platform and outcome.',
      labelNames: ['platform', 'outcome'] as const,
      registers,
    }),
  };
}
