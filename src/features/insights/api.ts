/**
 * The organiser API's insights (docs/openapi.yaml): `GET /api/insights?group=slack:<team id>|teams:<tenant id>
 * &from=YYYY-MM&to=YYYY-MM`. Bearer ORGANISER_API_TOKEN; one group per call (the council and the civil service are
 * never mixed); whole months that have ended only; every suppressed cell is `{ suppressed: true, reason }`, never a
 * number. Bad input is a 400 naming the field. The raw group id is hashed at once and never stored or logged.
 */
import type { FeatureDeps } from '../../core/feature-deps.js';
import { HttpError } from '../../http/errors.js';
import { bearerAuth, jsonRoute } from '../../http/json-api.js';
import type { RouteSpec } from '../../http/router.js';
import { organiserAudit } from '../organisers/audit.js';
import { parseGroup } from './groups.js';
import { reportJson } from './render.js';
import { buildReport, checkPeriod } from './report.js';

export function insightsRoutes(deps: FeatureDeps, moduleIds: () => readonly string[]): RouteSpec[] {
  const auth = bearerAuth(deps.config.organiserApiToken);
  const audit = organiserAudit(deps.store, deps.now);
  return [
    jsonRoute({
      method: 'GET',
      path: '/api/insights',
      bodyLimit: 0,
      auth,
      async handler({ query }) {
        const groupText = query.get('group') ?? '';
        const group = parseGroup(deps.hash, groupText);
        if (!group) throw new HttpError(400, 'group: must be slack:<team id> or teams:<tenant id>');
        const period = checkPeriod(
          query.get('from') ?? undefined,
          query.get('to') ?? undefined,
          deps.now(),
          deps.config.timeZone,
        );
        if ('field' in period) throw new HttpError(400, `${period.field}: ${period.reason}`);
        const k = deps.config.insights.k;
        const view = await buildReport({ store: deps.store, k, moduleIds: moduleIds() }, group, period.from, period.to);
        await audit.api('insights.read', group.slice(0, 16));
        return { status: 200, body: reportJson(view, groupText, k) };
      },
    }),
  ];
}
