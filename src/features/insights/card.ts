/**
 * The insights card as a message (the picture under PUBLIC_URL or inline, the numbers in text), and the two
 * addresses that serve what the chat hands out: the chart picture and the CSV export, each behind a random id with
 * no person and no group in it.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import { HttpError } from '../../http/errors.js';
import type { RouteSpec } from '../../http/router.js';
import { DAY_MS } from '../../lib/time.js';
import type { Block, OutboundMessage } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';
import { CHART_PATH, type ChartRows, chartPng } from './chart.js';
import { insightsKeys } from './keys.js';
import { chartRows, periodName, type RenderDeps, reportBlocks } from './render.js';
import type { PeriodView } from './suppression.js';

export const CSV_PATH = '/insights/csv';
const CHART_TTL_MS = 30 * DAY_MS;

export function createCards(deps: { store: KeyValueStore; config: Pick<Config, 'publicUrl'> }) {
  const { store, config } = deps;

  async function pictureOf(r: RenderDeps, rows: ChartRows, inline: boolean): Promise<Block | undefined> {
    const base = {
      type: 'image' as const,
      alt: r.t('insights.card.pictureAlt'),
      text: r.t('insights.card.pictureText'),
    };
    if (config.publicUrl) {
      const id = randomBytes(12).toString('base64url');
      await store.set(insightsKeys.chart(id), rows, CHART_TTL_MS);
      return { ...base, url: `${config.publicUrl.replace(/\/+$/, '')}${CHART_PATH}/${id}.png` };
    }
    return inline ? { ...base, inline: `data:image/png;base64,${chartPng(rows).toString('base64')}` } : undefined;
  }

  async function cardOf(r: RenderDeps, view: PeriodView, inline: boolean, extra: Block[]): Promise<OutboundMessage> {
    const picture = view.total > 0 ? await pictureOf(r, chartRows(view), inline) : undefined;
    const blocks = [...reportBlocks(r, view, picture), ...extra];
    return { text: r.t('insights.card.title', { period: periodName(r, view) }), blocks };
  }

  return { cardOf };
}

export type CardOf = ReturnType<typeof createCards>['cardOf'];

/** GET the chart picture and the CSV export. */
export function fileRoutes(store: KeyValueStore): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: `${CHART_PATH}/:file`,
      bodyLimit: 0,
      async handler(req, res, params) {
        const id = /^([A-Za-z0-9_-]{16})\.png$/.exec(params.file ?? '')?.[1];
        const rows = id ? await store.get<ChartRows>(insightsKeys.chart(id)) : undefined;
        if (!rows) throw new HttpError(404, 'not_found');
        const body = chartPng(rows);
        res.writeHead(200, {
          'Content-Type': 'image/png',
          'Content-Length': body.length,
          'Cache-Control': 'private, max-age=86400',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    },
    {
      method: 'GET',
      path: `${CSV_PATH}/:file`,
      bodyLimit: 0,
      async handler(req, res, params) {
        const id = /^([A-Za-z0-9_-]{22})\.csv$/.exec(params.file ?? '')?.[1];
        const file = id ? await store.get<{ name: string; text: string }>(insightsKeys.csv(id)) : undefined;
        if (!file) throw new HttpError(404, 'not_found');
        const body = Buffer.from(file.text, 'utf8');
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${file.name}"`,
          'Content-Length': body.length,
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    },
  ];
}
