/**
 * What organisers do with sessions in the chat: the list with counts, the form to make or change one, the
 * participants (numbered references, never names) with attendance after the end, and cancelling with a
 * confirmation. Every change is in the audit log.
 */
import { button, commandRoute, privately, routeTo, type TurnContext } from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { textMessage } from '../../dialog/render.js';
import { DAY_MS } from '../../lib/time.js';
import type { Block } from '../../message/types.js';
import type { ModuleCatalogue } from '../checkin/modules.js';
import type { organiserAudit } from '../organisers/audit.js';
import { type Fields, fieldsOf, readForm, sessionForm } from './form.js';
import { SESSIONS_FEATURE } from './keys.js';
import type { Session } from './model.js';
import { formatWhen, type RenderDeps, seatsLine, sessionFacts } from './render.js';
import type { SessionService } from './service.js';

interface ViewDeps {
  deps: FeatureDeps;
  service: SessionService;
  audit: ReturnType<typeof organiserAudit>;
  catalogue: ModuleCatalogue;
  renderOf(ctx: TurnContext): RenderDeps;
  load(ctx: TurnContext, id: string): Promise<Session | undefined>;
  tenantOf(ctx: TurnContext): string;
}

const route = (verb: string, data: Record<string, string>) => routeTo(SESSIONS_FEATURE, verb, data);

export function organiserViews(v: ViewDeps) {
  const { service } = v;
  const zoneOf = (ctx: TurnContext) => ctx.event.timeZone ?? v.deps.config.timeZone;
  const modules = (ctx: TurnContext) => v.catalogue.modules.map((m) => ({ id: m.id, title: m.title[ctx.locale] }));
  const notFound = async (ctx: TurnContext): Promise<void> => {
    await ctx.io.send(textMessage(ctx.t('sessions.join.notFound'), 'muted'), privately(ctx));
  };

  async function showForm(ctx: TurnContext, values: Fields, id?: string, error?: string): Promise<void> {
    const form = sessionForm(ctx, values, modules(ctx), { ...(id ? { id } : {}), ...(error ? { error } : {}) });
    await ctx.io.send({ text: error ?? ctx.t('sessions.form.heading'), blocks: [form] }, privately(ctx));
  }

  async function manage(ctx: TurnContext): Promise<void> {
    const r = v.renderOf(ctx);
    const sessions = (await service.repo.between(ctx.now - 14 * DAY_MS, Number.MAX_SAFE_INTEGER, 100)).filter(
      (s) => !s.scope || s.scope.tenant === v.tenantOf(ctx),
    );
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('sessions.manage.title') }];
    if (sessions.length === 0) blocks.push({ type: 'text', text: ctx.t('sessions.list.empty') });
    for (const session of sessions.slice(0, 15)) {
      const status = session.status === 'cancelled' ? ctx.t('sessions.manage.cancelled') : '';
      blocks.push({
        type: 'text',
        text: `${session.title} — ${formatWhen(r, session.startsAt)} ${status}\n${seatsLine(session, await service.counts(session.id), r)}`,
      });
      const buttons = [button(ctx.t('sessions.buttons.participants'), route('participants', { s: session.id }))];
      if (session.status === 'open' && session.startsAt > ctx.now) {
        buttons.unshift(button(ctx.t('sessions.buttons.edit'), route('edit', { s: session.id })));
        buttons.push(button(ctx.t('sessions.buttons.cancel'), route('cancelAsk', { s: session.id }), 'danger'));
      }
      blocks.push({ type: 'buttons', buttons });
    }
    blocks.push({
      type: 'buttons',
      buttons: [button(ctx.t('sessions.buttons.new'), commandRoute('newSession'), 'primary')],
    });
    blocks.push({
      type: 'text',
      text: ctx.t('sessions.manage.retention', { days: v.deps.config.sessions.retentionDays }),
      tone: 'muted',
    });
    await ctx.io.send({ text: ctx.t('sessions.manage.title'), blocks }, privately(ctx));
  }

  const newForm = (ctx: TurnContext) => showForm(ctx, { seats: '14' });

  async function edit(ctx: TurnContext, id: string): Promise<void> {
    const session = await v.load(ctx, id);
    if (session?.status !== 'open') return notFound(ctx);
    await showForm(ctx, fieldsOf(session, zoneOf(ctx)), id);
  }

  async function save(ctx: TurnContext, id: string | undefined, fields: Fields): Promise<void> {
    const zone = zoneOf(ctx);
    const current = id ? await v.load(ctx, id) : undefined;
    if (id && !current) return notFound(ctx);
    const read = readForm(fields, zone, current ? fieldsOf(current, zone) : undefined);
    const problem = (field: string, reason: string) =>
      showForm(ctx, fields, id, ctx.t(`sessions.errors.${reason}`, { field: ctx.t(`sessions.form.${field}`) }));
    if ('error' in read) return problem(read.error.field, read.error.reason);
    const result = id
      ? await service.update(id, read.input)
      : await service.create(read.input, {
          createdBy: ctx.person,
          locale: ctx.locale,
          scope: { platform: ctx.event.platform, tenant: v.tenantOf(ctx) },
        });
    if (result === 'notFound' || result === 'cancelled') return notFound(ctx);
    if ('error' in result) return problem(result.error.field, result.error.reason);
    await v.audit.chat(ctx, id ? 'session.changed' : 'session.created', result.session.id);
    const r = v.renderOf(ctx);
    const moved = 'moved' in result && result.moved;
    const text = ctx.t(id ? (moved ? 'sessions.saved.moved' : 'sessions.saved.changed') : 'sessions.saved.created', {
      title: result.session.title,
    });
    await ctx.io.send(
      {
        text,
        blocks: [
          { type: 'text', text },
          sessionFacts(result.session, r),
          { type: 'text', text: ctx.t('sessions.saved.announce', { id: result.session.id }), tone: 'muted' },
          {
            type: 'buttons',
            buttons: [
              button(ctx.t('sessions.buttons.announce'), commandRoute('announce')),
              button(ctx.t('sessions.buttons.manage'), commandRoute('manageSessions')),
            ],
          },
        ],
      },
      privately(ctx),
    );
  }

  async function participants(ctx: TurnContext, id: string): Promise<void> {
    const session = await v.load(ctx, id);
    if (!session) return notFound(ctx);
    const r = v.renderOf(ctx);
    const list = await service.participants(id);
    const blocks: Block[] = [
      { type: 'heading', text: ctx.t('sessions.participants.title', { title: session.title }) },
      { type: 'text', text: ctx.t('sessions.participants.privacy'), tone: 'muted' },
      {
        type: 'facts',
        facts: [
          { label: ctx.t('sessions.participants.seated'), value: `${list.seated.length} / ${session.seats}` },
          { label: ctx.t('sessions.participants.offered'), value: String(list.offered.length) },
          { label: ctx.t('sessions.participants.waiting'), value: String(list.waiting.length) },
        ],
      },
    ];
    list.seated.forEach((p, i) => {
      const state =
        p.attended === undefined
          ? ''
          : ctx.t(p.attended ? 'sessions.participants.attended' : 'sessions.participants.absent');
      blocks.push({
        type: 'text',
        text: ctx.t('sessions.participants.line', { n: i + 1, ref: p.ref, since: formatWhen(r, p.since), state }),
      });
      if (session.closedAt && p.attended !== undefined)
        blocks.push({
          type: 'buttons',
          buttons: [
            button(
              ctx.t(p.attended ? 'sessions.participants.markAbsent' : 'sessions.participants.markPresent', {
                n: i + 1,
              }),
              route('mark', { s: id, r: p.ref, a: p.attended ? '0' : '1' }),
            ),
          ],
        });
    });
    if (!session.closedAt)
      blocks.push({ type: 'text', text: ctx.t('sessions.participants.attendanceLater'), tone: 'muted' });
    await ctx.io.send({ text: ctx.t('sessions.participants.title', { title: session.title }), blocks }, privately(ctx));
  }

  async function cancelAsk(ctx: TurnContext, id: string): Promise<void> {
    const session = await v.load(ctx, id);
    if (session?.status !== 'open') return notFound(ctx);
    const counts = await service.counts(id);
    const text = ctx.t('sessions.cancel.confirm', {
      title: session.title,
      people: counts.seated + counts.offered + counts.waiting,
    });
    await ctx.io.send(
      {
        text,
        blocks: [
          { type: 'text', text },
          {
            type: 'buttons',
            buttons: [
              button(ctx.t('sessions.cancel.yes'), route('cancelConfirm', { s: id }), 'danger'),
              button(ctx.t('sessions.cancel.no'), commandRoute('manageSessions')),
            ],
          },
        ],
      },
      privately(ctx),
    );
  }

  async function cancelConfirm(ctx: TurnContext, id: string): Promise<void> {
    const session = await v.load(ctx, id);
    if (!session) return notFound(ctx);
    const wasOpen = session.status === 'open';
    await service.cancel(id);
    if (wasOpen) await v.audit.chat(ctx, 'session.cancelled', id);
    await ctx.io.update(textMessage(ctx.t('sessions.cancel.done', { title: session.title })));
  }

  async function mark(ctx: TurnContext, id: string, ref: string, attended: boolean): Promise<void> {
    const session = await v.load(ctx, id);
    const result = session ? await service.mark(id, ref, attended) : 'notFound';
    if (result === 'ok') await v.audit.chat(ctx, 'attendance.marked', id);
    if (result !== 'ok') {
      await ctx.io.send(textMessage(ctx.t(`sessions.participants.${result}`), 'muted'), privately(ctx));
      return;
    }
    await participants(ctx, id);
  }

  return { manage, newForm, edit, save, participants, cancelAsk, cancelConfirm, mark };
}
