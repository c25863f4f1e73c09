/**
 * Masterclass sessions: organisers make and change them (a form in the chat, or the API) and see who is coming (by
 * reference, never by name); people press "ik doe mee" (a button under an announcement, or typed), get a seat or a
 * place in line, see "mijn inschrijvingen", give a seat back, accept a freed one, and are reminded before the
 * session. Pressing "ik doe mee" is the opt-in to messages about that session only (ctx.rememberAddress).
 */
import { z } from 'zod';
import {
  action,
  button,
  commandRoute,
  type Feature,
  privately,
  routeTo,
  type TurnContext,
} from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { tenantHash } from '../../core/tenant-settings.js';
import { textMessage } from '../../dialog/render.js';
import { isTimeZone } from '../../lib/quiet-hours.js';
import { DAY_MS, HOUR_MS } from '../../lib/time.js';
import type { Block, Locale } from '../../message/types.js';
import type { ModuleCatalogue } from '../checkin/modules.js';
import { organiserAudit } from '../organisers/audit.js';
import { sessionRoutes } from './api.js';
import { calendarLinks, calendarRoute } from './calendar.js';
import type { Fields } from './form.js';
import { calendarBlock, type KindDeps, sessionKinds } from './kinds.js';
import { SESSIONS_FEATURE } from './keys.js';
import type { Session } from './model.js';
import { organiserViews } from './organiser-views.js';
import {
  calendarDescription,
  formatWhen,
  joinReply,
  myLine,
  type RenderDeps,
  seatsLine,
  sessionFacts,
} from './render.js';
import { createSessionService, SESSION_JOBS } from './service.js';

const SessionData = z.object({ s: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }).strict();
const route = (verb: string, s: string) => routeTo(SESSIONS_FEATURE, verb, { s });

/** Sessions of the catalogue's modules (`catalogue`: loaded once at start-up, shared with the check-in). */
export function createSessionsFeature(deps: FeatureDeps, catalogue: ModuleCatalogue): Feature {
  const { config, now } = deps;
  const service = createSessionService(deps, new Set(catalogue.modules.map((m) => m.id)));
  const links = calendarLinks(deps.hash, config.publicUrl, () => config.sessions.calendarLinkHours * HOUR_MS);
  const audit = organiserAudit(deps.store, now);
  const renderFor = (locale: Locale, timeZone?: string): RenderDeps => ({
    t: deps.translate(locale),
    locale,
    timeZone: timeZone && isTimeZone(timeZone) ? timeZone : config.timeZone,
    moduleTitle: (id) => catalogue.modules.find((m) => m.id === id)?.title[locale],
  });
  const kindDeps: KindDeps = { deps, service, links, renderFor };
  const renderOf = (ctx: TurnContext) => renderFor(ctx.locale, ctx.event.timeZone);
  const tenantOf = (ctx: TurnContext) => tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId);
  /** A session is for everyone when it came from the API, else for the organiser's workspace or tenant. */
  const visible = (ctx: TurnContext, s: Session | undefined): s is Session =>
    s !== undefined && (!s.scope || (s.scope.platform === ctx.event.platform && s.scope.tenant === tenantOf(ctx)));
  const load = async (ctx: TurnContext, id: string) => {
    const session = await service.repo.get(id);
    return visible(ctx, session) ? session : undefined;
  };
  /** When they pressed: when the platform's request arrived (their place in line), unless that is implausible. */
  const pressedAt = (ctx: TurnContext) => {
    const at = ctx.event.receivedAt;
    return Number.isFinite(at) && at <= ctx.now && at > ctx.now - HOUR_MS ? at : ctx.now;
  };
  const upcoming = async (ctx: TurnContext) =>
    (await service.repo.between(ctx.now, Number.MAX_SAFE_INTEGER, 100)).filter(
      (s) => visible(ctx, s) && s.status === 'open',
    );

  async function list(ctx: TurnContext): Promise<void> {
    const r = renderOf(ctx);
    const sessions = (await upcoming(ctx)).slice(0, 10);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('sessions.list.title') }];
    if (sessions.length === 0) blocks.push({ type: 'text', text: ctx.t('sessions.list.empty') });
    for (const session of sessions) {
      const rsvp = (await service.rsvps.read(session.id, ctx.person)).value;
      blocks.push({ type: 'heading', text: session.title }, sessionFacts(session, r));
      blocks.push({ type: 'text', text: seatsLine(session, await service.counts(session.id), r), tone: 'muted' });
      if (rsvp) blocks.push({ type: 'text', text: myLine(session, rsvp, 0, r).split('\n')[0] ?? '' });
      else if (ctx.now <= session.registrationDeadline)
        blocks.push({
          type: 'buttons',
          buttons: [button(ctx.t('sessions.buttons.join'), route('join', session.id), 'primary')],
        });
      else blocks.push({ type: 'text', text: ctx.t('sessions.join.closed', { title: session.title }), tone: 'muted' });
    }
    await ctx.io.send({ text: ctx.t('sessions.list.title'), blocks }, privately(ctx));
  }

  async function join(ctx: TurnContext, id: string): Promise<void> {
    const session = await load(ctx, id);
    const outcome = session
      ? await service.rsvps.join(
          id,
          {
            person: ctx.person,
            platform: ctx.event.platform,
            locale: ctx.locale,
            ...(ctx.event.timeZone && isTimeZone(ctx.event.timeZone) ? { timeZone: ctx.event.timeZone } : {}),
          },
          pressedAt(ctx),
        )
      : ({ kind: 'notFound' } as const);
    const r = renderOf(ctx);
    const registered = outcome.kind === 'seated' || outcome.kind === 'waiting' || outcome.kind === 'offered';
    // The opt-in to messages about this session (reminders, changes, a freed seat): only once registered.
    if (registered) await ctx.rememberAddress();
    const text = joinReply(outcome, session, r);
    const blocks: Block[] = [{ type: 'text', text }];
    if (registered && session) {
      blocks.push(sessionFacts(session, r));
      if (outcome.kind === 'seated') {
        const calendar = calendarBlock(kindDeps, session, ctx.event.platform, r);
        if (calendar) blocks.push(calendar);
      }
      const buttons = [button(ctx.t('sessions.buttons.mine'), commandRoute('myRsvps'))];
      if (outcome.kind === 'offered')
        buttons.unshift(button(ctx.t('sessions.buttons.accept'), route('accept', id), 'primary'));
      buttons.push(button(ctx.t('sessions.buttons.leave'), route('leave', id)));
      blocks.push({ type: 'buttons', buttons });
      blocks.push({ type: 'text', text: ctx.t('sessions.join.optIn'), tone: 'muted' });
    }
    await ctx.io.send({ text, blocks }, privately(ctx));
  }

  /** "ik doe mee" typed: the one open session, or the list to pick from. */
  async function joinTyped(ctx: TurnContext): Promise<void> {
    const open = (await upcoming(ctx)).filter((s) => ctx.now <= s.registrationDeadline);
    const only = open[0];
    if (open.length === 1 && only) return join(ctx, only.id);
    return list(ctx);
  }

  async function leave(ctx: TurnContext, id: string): Promise<void> {
    const session = await service.repo.get(id);
    const outcome = await service.rsvps.leave(id, ctx.person);
    const title = session?.title ?? '';
    const key =
      outcome.kind === 'left'
        ? outcome.was === 'waiting' || outcome.was === 'joining'
          ? 'sessions.leave.waiting'
          : 'sessions.leave.seat'
        : `sessions.leave.${outcome.kind}`;
    await ctx.io.send(textMessage(ctx.t(key, { title })), privately(ctx));
  }

  async function accept(ctx: TurnContext, id: string): Promise<void> {
    const session = await service.repo.get(id);
    const outcome = await service.rsvps.accept(id, ctx.person);
    const r = renderOf(ctx);
    const text = ctx.t(`sessions.accept.${outcome}`, { title: session?.title ?? '' });
    const blocks: Block[] = [{ type: 'text', text }];
    if (outcome === 'seated' && session) {
      const calendar = calendarBlock(kindDeps, session, ctx.event.platform, r);
      if (calendar) blocks.push(calendar);
    }
    await ctx.io.send({ text, blocks }, privately(ctx));
  }

  async function mine(ctx: TurnContext): Promise<void> {
    const r = renderOf(ctx);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('sessions.mine.title') }];
    let shown = 0;
    for (const id of await service.sessionsOf(ctx.person)) {
      const session = await service.repo.get(id);
      const rsvp = (await service.rsvps.read(id, ctx.person)).value;
      if (!session || !rsvp || service.endOf(session) < ctx.now) continue;
      const position = rsvp.status === 'waiting' ? await service.rsvps.position(id, ctx.person, rsvp.order) : 0;
      blocks.push({ type: 'text', text: myLine(session, rsvp, position, r) });
      if (session.status !== 'open') continue;
      const buttons = [];
      if (rsvp.status === 'offered')
        buttons.push(button(ctx.t('sessions.buttons.accept'), route('accept', id), 'primary'));
      if (rsvp.status === 'seated') buttons.push(button(ctx.t('sessions.buttons.calendar'), route('calendar', id)));
      buttons.push(button(ctx.t('sessions.buttons.leave'), route('leave', id)));
      blocks.push({ type: 'buttons', buttons });
      shown += 1;
    }
    if (shown === 0) blocks.push({ type: 'text', text: ctx.t('sessions.mine.empty') });
    await ctx.io.send({ text: ctx.t('sessions.mine.title'), blocks }, privately(ctx));
  }

  async function calendar(ctx: TurnContext, id: string): Promise<void> {
    const session = await load(ctx, id);
    const block = session ? calendarBlock(kindDeps, session, ctx.event.platform, renderOf(ctx)) : undefined;
    await ctx.io.send(
      block
        ? { text: ctx.t('sessions.calendar.title'), blocks: [block] }
        : textMessage(ctx.t('sessions.calendar.none')),
      privately(ctx),
    );
  }

  const views = organiserViews({ deps, service, audit, renderOf, load, catalogue, tenantOf });
  const organiser = 'organiser' as const;
  const sessionVerb = (run: (ctx: TurnContext, id: string) => Promise<void>, audience?: 'organiser') =>
    action(SessionData, (ctx, data) => run(ctx, data.s), audience);

  return {
    id: SESSIONS_FEATURE,
    commands: {
      sessions: { words: ['sessies', 'bijeenkomsten', 'sessions'], run: list },
      signUp: { words: ['ik doe mee', 'doe mee', 'count me in', 'sign up'], run: joinTyped },
      myRsvps: { words: ['mijn inschrijvingen', 'inschrijvingen', 'my registrations'], run: mine },
      manageSessions: { words: ['sessies beheren', 'manage sessions'], audience: organiser, run: views.manage },
      newSession: { words: ['nieuwe sessie', 'sessie maken', 'new session'], audience: organiser, run: views.newForm },
    },
    actions: {
      join: sessionVerb(join),
      leave: sessionVerb(leave),
      accept: sessionVerb(accept),
      calendar: sessionVerb(calendar),
      save: action(
        z.object({ s: SessionData.shape.s.optional() }).strict(),
        (ctx, data, input) => views.save(ctx, data.s, (input.fields ?? {}) as Fields),
        organiser,
      ),
      edit: sessionVerb(views.edit, organiser),
      participants: sessionVerb(views.participants, organiser),
      cancelAsk: sessionVerb(views.cancelAsk, organiser),
      cancelConfirm: sessionVerb(views.cancelConfirm, organiser),
      mark: action(
        z.object({ s: SessionData.shape.s, r: z.string().min(1).max(20), a: z.enum(['0', '1']) }).strict(),
        (ctx, data) => views.mark(ctx, data.s, data.r, data.a === '1'),
        organiser,
      ),
    },
    broadcastKinds: sessionKinds(kindDeps),
    routes: [
      ...sessionRoutes(deps, service),
      calendarRoute(links, service.repo, (s) => calendarDescription(s, renderFor(s.locale)), now),
    ],
    personData: {
      async describe(ctx) {
        const r = renderOf(ctx);
        const lines: string[] = [];
        for (const id of await service.sessionsOf(ctx.person)) {
          const session = await service.repo.get(id);
          const rsvp = (await service.rsvps.read(id, ctx.person)).value;
          if (session && rsvp) lines.push(myLine(session, rsvp, 0, r).split('\n')[0] ?? '');
        }
        if (lines.length > 0) lines.push(ctx.t('sessions.myData.retention', { days: config.sessions.retentionDays }));
        return lines;
      },
      async forgetEffects(ctx) {
        const r = renderOf(ctx);
        const lines: string[] = [];
        for (const id of await service.sessionsOf(ctx.person)) {
          const session = await service.repo.get(id);
          const rsvp = (await service.rsvps.read(id, ctx.person)).value;
          if (!session || !rsvp || session.status !== 'open' || ctx.now >= session.startsAt) continue;
          const vars = { title: session.title, when: formatWhen(r, session.startsAt) };
          lines.push(ctx.t(rsvp.status === 'waiting' ? 'sessions.forget.waiting' : 'sessions.forget.seat', vars));
        }
        return lines;
      },
      async beforeForget(ctx) {
        const count = (await service.sessionsOf(ctx.person)).length;
        await service.forgetPerson(ctx.person);
        const deleted = count > 0 ? [ctx.t('sessions.forget.deleted', { count })] : [];
        return { deleted, messagesRemoved: 0, messagesLeft: 0 };
      },
      rekey: (from, to) => service.rekeyPerson(from, to),
    },
    async start() {
      deps.queue.work<{ s: string; p: string; u: number }>(SESSION_JOBS.offerExpire, async (job) => {
        const session = await service.repo.get(job.data.s);
        const before = (await service.rsvps.read(job.data.s, job.data.p)).value;
        if (session && before && (await service.rsvps.expire(job.data.s, job.data.p, job.data.u)))
          await service.notify(session, job.data.p, before, 'lapsed');
        return undefined;
      });
      deps.queue.work<{ s: string; q: number }>(SESSION_JOBS.close, async (job) => {
        await service.close(job.data.s, job.data.q);
        return undefined;
      });
      deps.queue.work(SESSION_JOBS.purge, async () => {
        const purged = await service.purge();
        if (purged > 0) deps.log.info({ purged }, 'sessions past their retention deleted');
        return { retryAt: now() + DAY_MS };
      });
      await deps.queue.add({ name: SESSION_JOBS.purge, id: 'sessions-purge', data: {}, runAt: now() + HOUR_MS });
    },
  };
}
