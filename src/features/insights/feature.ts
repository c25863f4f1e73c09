/**
 * Insights for organisers: what the check-ins of their workspace or tenant show, over whole months, without
 * exposing anyone (suppression.ts); a card with bars (a picture where the platform shows one, the numbers always in
 * text), a CSV export, the organiser API, an opt-in monthly digest, and before/after per masterclass session
 * (cohorts.ts). The check-in hands over each result it shows (`recordResult`); nothing else of it is read.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { action, button, type Feature, privately, routeTo, type TurnContext } from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { errorFacts } from '../../http/errors.js';
import { isTimeZone } from '../../lib/quiet-hours.js';
import { DAY_MS, MINUTE_MS } from '../../lib/time.js';
import type { Block, Locale } from '../../message/types.js';
import type { ModuleCatalogue } from '../checkin/modules.js';
import { organiserAudit } from '../organisers/audit.js';
import { sessionKeys } from '../sessions/keys.js';
import type { Session } from '../sessions/model.js';
import { insightsRoutes } from './api.js';
import { CSV_PATH, createCards, fileRoutes } from './card.js';
import { type DigestRecord, insightsKinds } from './kinds.js';
import { type CohortView, createCohorts } from './cohorts.js';
import { bandOf, factOf, monthOf, recordFact, type ShownResult } from './facts.js';
import { groupKey } from './groups.js';
import { INSIGHTS_FEATURE, INSIGHTS_JOBS, INSIGHTS_KINDS, insightsKeys } from './keys.js';
import { distributionBlocks, type RenderDeps, reportCsv } from './render.js';
import { askableMonths, buildReport, shiftMonth } from './report.js';

const PERIODS = ['1', '3', '6', '12'] as const;
const PeriodData = z.object({ m: z.enum(PERIODS) }).strict();
const DigestData = z.object({ on: z.enum(['0', '1']) }).strict();
const SessionData = z.object({ s: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }).strict();
const NoData = z.object({}).strict();
const CSV_TTL_MS = DAY_MS;

export interface InsightsFeature extends Feature {
  /** The check-in showed a result: record its anonymous fact, and the before or after of a session cohort. */
  recordResult(ctx: TurnContext, shown: ShownResult): Promise<void>;
  /** The daily work (follow-up offers, closing cohorts, the monthly digest); the queue runs it, tests call it. */
  runDaily(): Promise<void>;
}

export function createInsightsFeature(deps: FeatureDeps, catalogue: ModuleCatalogue): InsightsFeature {
  const { store, config, now, hash } = deps;
  const moduleIds = () => catalogue.modules.map((m) => m.id);
  // Read when used: the menus are built from a partial configuration without these settings.
  const k = () => config.insights.k;
  const cohorts = createCohorts({ store, config, now });
  const audit = organiserAudit(store, now);
  const configured = () => new Set((config.organisers ?? []).map((o) => hash('organiser', o.platform, o.userId)));
  const groupOf = (ctx: TurnContext) => groupKey(ctx.hash, ctx.event.platform, ctx.event.user.tenantId);
  const renderFor = (locale: Locale): RenderDeps => ({
    t: deps.translate(locale),
    locale,
    k: k(),
    moduleTitle: (id) => catalogue.modules.find((m) => m.id === id)?.title[locale],
  });
  const periodRoute = (verb: string, m: string) => routeTo(INSIGHTS_FEATURE, verb, { m });
  const { cardOf } = createCards({ store, config });
  const report = (group: string, from: string, to: string) =>
    buildReport({ store, k: k(), moduleIds: moduleIds() }, group, from, to);

  async function recordResult(ctx: TurnContext, shown: ShownResult): Promise<void> {
    try {
      const group = groupOf(ctx);
      await recordFact(store, {
        person: ctx.person,
        group,
        month: monthOf(ctx.now, config.timeZone),
        fact: factOf(shown),
        now: ctx.now,
      });
      const band = bandOf(shown.diagnosis);
      if (!(await cohorts.recordAfter(ctx.person, group, band))) await cohorts.recordBefore(ctx.person, group, band);
    } catch (error) {
      // The person has their result; an insight that could not be counted is logged, never their answers.
      ctx.log.warn(errorFacts(error), 'insights: fact not recorded');
    }
  }

  /** The picture of a card: a link under PUBLIC_URL (random id), inline in local mode, else none. */
  function periodOf(m: string): { from: string; to: string } {
    const { last } = askableMonths(now(), config.timeZone);
    return { from: shiftMonth(last, -(Number(m) - 1)), to: last };
  }

  async function show(ctx: TurnContext, m: string): Promise<void> {
    const r = renderFor(ctx.locale);
    const { from, to } = periodOf(m);
    const view = await report(groupOf(ctx), from, to);
    const digest = await store.get<DigestRecord>(insightsKeys.digest(ctx.person));
    const buttons = [
      ...PERIODS.filter((p) => p !== m).map((p) =>
        button(ctx.t(`insights.buttons.period`, { months: Number(p) }), periodRoute('show', p)),
      ),
      button(ctx.t('insights.buttons.csv'), periodRoute('csv', m)),
      button(ctx.t('insights.buttons.cohorts'), routeTo(INSIGHTS_FEATURE, 'cohorts')),
      digest
        ? button(ctx.t('insights.buttons.digestOff'), routeTo(INSIGHTS_FEATURE, 'digest', { on: '0' }))
        : button(ctx.t('insights.buttons.digestOn'), routeTo(INSIGHTS_FEATURE, 'digest', { on: '1' })),
    ];
    const card = await cardOf(r, view, config.localMode, [{ type: 'buttons', buttons }]);
    await ctx.io.send(card, privately(ctx));
  }

  async function csv(ctx: TurnContext, m: string): Promise<void> {
    const r = renderFor(ctx.locale);
    const { from, to } = periodOf(m);
    const text = reportCsv(r, await report(groupOf(ctx), from, to));
    const name = `inzichten-${from}-${to}.csv`;
    let block: Block;
    if (ctx.event.platform === 'console') {
      // The terminal: a file beside the database, as the calendar entries.
      const folder = resolve(join(dirname(config.store.databasePath), 'insights'));
      mkdirSync(folder, { recursive: true });
      const path = join(folder, name);
      writeFileSync(path, text, 'utf8');
      block = { type: 'text', text: ctx.t('insights.csv.file', { path }) };
    } else if (config.publicUrl) {
      const id = randomBytes(16).toString('base64url');
      await store.set(insightsKeys.csv(id), { name, text }, CSV_TTL_MS);
      const url = `${config.publicUrl.replace(/\/+$/, '')}${CSV_PATH}/${id}.csv`;
      block = { type: 'links', links: [{ label: ctx.t('insights.csv.link', { name }), url }] };
    } else block = { type: 'text', text: ctx.t('insights.csv.noLink') };
    await audit.chat(ctx, 'insights.read', 'csv');
    await ctx.io.send({ text: ctx.t('insights.csv.title'), blocks: [block] }, privately(ctx));
  }

  async function setDigest(ctx: TurnContext, on: boolean): Promise<void> {
    const key = insightsKeys.digest(ctx.person);
    if (on) {
      // The opt-in: from now on the bot may write to this organiser once a month.
      await ctx.rememberAddress();
      const zone = ctx.event.timeZone && isTimeZone(ctx.event.timeZone) ? ctx.event.timeZone : undefined;
      const org = hash('organiser', ctx.event.user.platform, ctx.event.user.userId);
      const record: DigestRecord = {
        group: groupOf(ctx),
        platform: ctx.event.platform,
        locale: ctx.locale,
        ...(zone ? { timeZone: zone } : {}),
        ...(configured().has(org) ? { configured: org } : {}),
      };
      await store.track(ctx.person, key);
      await store.set(key, record);
      await store.indexAdd(insightsKeys.digests, ctx.person, 0);
    } else {
      await store.delete(key);
      await store.indexRemove(insightsKeys.digests, ctx.person);
    }
    await ctx.io.send(
      {
        text: ctx.t(on ? 'insights.digest.on' : 'insights.digest.off'),
        blocks: [
          { type: 'text', text: ctx.t(on ? 'insights.digest.on' : 'insights.digest.off') },
          {
            type: 'buttons',
            buttons: [
              on
                ? button(ctx.t('insights.buttons.digestOff'), routeTo(INSIGHTS_FEATURE, 'digest', { on: '0' }))
                : button(ctx.t('insights.buttons.digestOn'), routeTo(INSIGHTS_FEATURE, 'digest', { on: '1' })),
            ],
          },
        ],
      },
      privately(ctx),
    );
  }

  function cohortBlocks(r: RenderDeps, session: Session, view: CohortView): Block[] {
    const blocks: Block[] = [{ type: 'text', text: r.t('insights.cohorts.session', { title: session.title }) }];
    if (view.status === 'open')
      blocks.push({
        type: 'text',
        text: r.t('insights.cohorts.open', {
          date: new Intl.DateTimeFormat(r.locale === 'nl' ? 'nl-NL' : 'en-GB', {
            dateStyle: 'long',
            timeZone: config.timeZone,
          }).format(view.closesAt),
        }),
        tone: 'muted',
      });
    else if (view.status === 'suppressed')
      blocks.push({ type: 'text', text: r.t('insights.cohorts.suppressed', { k: r.k }), tone: 'muted' });
    else {
      blocks.push({ type: 'text', text: r.t('insights.cohorts.both', { count: view.both }) });
      blocks.push(...distributionBlocks(r, 'shift', view.shift.cells, r.t('insights.cohorts.shift')));
      blocks.push(...distributionBlocks(r, 'phase', view.before.cells, r.t('insights.cohorts.before')));
      blocks.push(...distributionBlocks(r, 'phase', view.after.cells, r.t('insights.cohorts.after')));
    }
    return blocks;
  }

  /** Sessions of this workspace or tenant (or of everyone: made through the API) that have a cohort. */
  async function showCohorts(ctx: TurnContext): Promise<void> {
    const r = renderFor(ctx.locale);
    const group = groupOf(ctx);
    const tenant = group.slice(group.indexOf(':') + 1);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('insights.cohorts.title') }];
    const page = await store.indexRange(insightsKeys.cohorts, { limit: 200 });
    let shown = 0;
    for (const { member: id } of page.entries) {
      const session = await cohorts.session(id);
      if (
        !session ||
        (session.scope && (session.scope.platform !== ctx.event.platform || session.scope.tenant !== tenant))
      )
        continue;
      const view = await cohorts.view(id, group);
      if (!view) continue;
      blocks.push(...cohortBlocks(r, session, view));
      shown += 1;
      if (shown >= 10) break;
    }
    if (shown === 0) blocks.push({ type: 'text', text: ctx.t('insights.cohorts.none') });
    blocks.push({
      type: 'text',
      text: ctx.t('insights.cohorts.rules', { k: k(), weeks: config.insights.followupWeeks }),
      tone: 'muted',
    });
    await ctx.io.send({ text: ctx.t('insights.cohorts.title'), blocks }, privately(ctx));
  }

  async function followup(ctx: TurnContext, sessionId: string): Promise<void> {
    const outcome = await cohorts.accept(ctx.person, sessionId);
    if (outcome !== 'ok') {
      await ctx.io.send({
        text: ctx.t('insights.followup.closed'),
        blocks: [{ type: 'text', text: ctx.t('insights.followup.closed') }],
      });
      return;
    }
    await ctx.io.send(
      { text: ctx.t('insights.followup.start'), blocks: [{ type: 'text', text: ctx.t('insights.followup.start') }] },
      { direct: true },
    );
    await ctx.startDialog('checkin');
  }

  // --- The daily work ---------------------------------------------------------------------------------------

  async function broadcastOnce(id: string, kind: string, locale: Locale): Promise<boolean> {
    if (await deps.broadcasts.get(id)) return false;
    try {
      await deps.broadcasts.create({ id, kind, sendAt: now(), createdBy: INSIGHTS_FEATURE, locale });
      return true;
    } catch (error) {
      if (await deps.broadcasts.get(id)) return false;
      throw error;
    }
  }

  /** Sessions whose follow-up is due: their attendees are offered it once, through the broadcaster. */
  async function offerFollowups(): Promise<number> {
    const weeks = config.insights.followupWeeks * 7 * DAY_MS;
    let offered = 0;
    let after: { member: string; score: number } | undefined;
    for (;;) {
      const page = await store.indexRange(sessionKeys.byStart, {
        min: now() - weeks - 60 * DAY_MS,
        max: now() - weeks,
        limit: 200,
        ...(after ? { after } : {}),
      });
      for (const { member: id } of page.entries) {
        const session = await cohorts.session(id);
        if (session?.status !== 'open' || !session.closedAt) continue;
        if (now() < cohorts.offerAt(session) || now() >= cohorts.closesAt(session)) continue;
        await cohorts.register(session);
        if (await broadcastOnce(`${id}.fu`, INSIGHTS_KINDS.followup, session.locale)) offered += 1;
      }
      if (!page.cursor) return offered;
      after = page.cursor;
    }
  }

  /** The digest of the month that ended, once, from the first day of the next. */
  async function digestOfLastMonth(): Promise<void> {
    if ((await store.indexCount(insightsKeys.digests)) === 0) return;
    const month = shiftMonth(monthOf(now(), config.timeZone), -1);
    await broadcastOnce(`insights-digest.${month}`, INSIGHTS_KINDS.digest, config.defaultLocale);
  }

  async function runDaily(): Promise<void> {
    await offerFollowups();
    const { closed, deleted } = await cohorts.sweep();
    if (closed + deleted > 0) deps.log.info({ closed, deleted }, 'insights: cohorts closed or deleted');
    await digestOfLastMonth();
  }

  const organiser = 'organiser' as const;
  return {
    id: INSIGHTS_FEATURE,
    recordResult,
    runDaily,
    commands: {
      insights: {
        words: ['inzichten', 'insights'],
        audience: organiser,
        takesArgument: true,
        run: (ctx, args) => show(ctx, PERIODS.find((p) => p === args.trim()) ?? '1'),
      },
      insightsDigest: {
        words: ['maandoverzicht', 'monthly digest'],
        audience: organiser,
        takesArgument: true,
        run: (ctx, args) => setDigest(ctx, !/^(uit|off|stop)$/i.test(args.trim())),
      },
    },
    actions: {
      show: action(PeriodData, (ctx, data) => show(ctx, data.m), organiser),
      csv: action(PeriodData, (ctx, data) => csv(ctx, data.m), organiser),
      digest: action(DigestData, (ctx, data) => setDigest(ctx, data.on === '1'), organiser),
      cohorts: action(NoData, showCohorts, organiser),
      followup: action(SessionData, (ctx, data) => followup(ctx, data.s)),
      followupNo: action(SessionData, async (ctx) => {
        await ctx.io.send({
          text: ctx.t('insights.followup.declined'),
          blocks: [{ type: 'text', text: ctx.t('insights.followup.declined') }],
        });
      }),
    },
    broadcastKinds: insightsKinds({ deps, cohorts, cardOf, renderFor, report, periodRoute, configured }),
    routes: [...insightsRoutes(deps, moduleIds), ...fileRoutes(store)],
    personData: {
      async describe(ctx) {
        const keys = await store.keysOf(ctx.person);
        const lines: string[] = [];
        if (keys.some((key) => key.startsWith('insights:mine:'))) lines.push(ctx.t('insights.myData.fact'));
        const links = keys.filter((key) => key.startsWith('insights:link:')).length;
        if (links > 0) lines.push(ctx.t('insights.myData.cohorts', { count: links }));
        if (keys.includes(insightsKeys.digest(ctx.person)) && (await store.get(insightsKeys.digest(ctx.person))))
          lines.push(ctx.t('insights.myData.digest'));
        return lines;
      },
      async beforeForget(ctx) {
        const keys = await store.keysOf(ctx.person);
        const links = keys.filter((key) => key.startsWith('insights:link:')).length;
        await cohorts.forgetPerson(ctx.person);
        const digest = (await store.indexRemove(insightsKeys.digests, ctx.person)) ? 1 : 0;
        const deleted: string[] = [];
        if (links > 0) deleted.push(ctx.t('insights.forget.cohorts', { count: links }));
        if (digest > 0) deleted.push(ctx.t('insights.forget.digest'));
        return { deleted, messagesRemoved: 0, messagesLeft: 0 };
      },
      // Cohorts hold tokens, not people; the list of digest readers names the person.
      async rekey(from, to) {
        await store.indexRenameMember(insightsKeys.digests, from, to);
      },
    },
    async start() {
      deps.queue.work(INSIGHTS_JOBS.daily, async () => {
        await runDaily();
        return { retryAt: now() + DAY_MS };
      });
      await deps.queue.add({ name: INSIGHTS_JOBS.daily, id: 'insights-daily', data: {}, runAt: now() + 5 * MINUTE_MS });
    },
  };
}
