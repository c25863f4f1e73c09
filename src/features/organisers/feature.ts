/**
 * Organisers: who may announce, and what they manage for their workspace or tenant from the chat — other organisers
 * (by a one-time invitation code, so nobody types platform ids), the escalation contacts of the check-in's safety
 * route, and a look at the audit log. Everyone else is refused politely by the core (`audience: 'organiser'`).
 */
import { randomInt } from 'node:crypto';
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
import { fieldText } from '../../core/forms.js';
import {
  type EscalationContacts,
  escalationContacts,
  hasEscalationOverride,
  setEscalationContacts,
  tenantHash,
} from '../../core/tenant-settings.js';
import { textMessage } from '../../dialog/render.js';
import { DAY_MS } from '../../lib/time.js';
import type { Block, FormField } from '../../message/types.js';
import { type AuditAction, createAuditLog } from './audit.js';
import { ORGANISERS_FEATURE, organiserKeys } from './keys.js';
import { createRoles, type MemberRecord } from './roles.js';

const NoData = z.object({}).strict();
const PersonData = z.object({ p: z.string().min(1).max(64) }).strict();
const INVITE_TTL_MS = DAY_MS;
/** Letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const AUDIT_JOB = 'organisers.audit-purge';

interface Invite {
  tenant: string;
  platform: string;
  by: string;
}

/** The hub card and the organiser commands' shared helpers. */
export function createOrganisersFeature(deps: FeatureDeps): Feature {
  const { store, hash, config } = deps;
  const roles = createRoles(config, store, hash);
  const audit = createAuditLog(store);
  const tenantOf = (ctx: TurnContext) => tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId);
  const log = (ctx: TurnContext, what: AuditAction, about?: string) =>
    audit.record({ who: ctx.person, what, scope: tenantOf(ctx), ...(about ? { about } : {}) }, ctx.now);
  const date = (ctx: TurnContext, at: number) =>
    new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: config.timeZone }).format(
      at,
    );

  async function hub(ctx: TurnContext): Promise<void> {
    const names = [
      'announce',
      'announcements',
      'manageSessions',
      'nudges',
      'topics',
      'organisers',
      'escalation',
      'auditLog',
    ];
    await ctx.io.send(
      {
        text: ctx.t('organisers.hub.title'),
        blocks: [
          { type: 'heading', text: ctx.t('organisers.hub.title') },
          { type: 'text', text: ctx.t('organisers.hub.intro') },
          {
            type: 'buttons',
            buttons: names.map((name) => button(ctx.t(`organisers.hub.buttons.${name}`), commandRoute(name))),
          },
        ],
      },
      privately(ctx),
    );
  }

  async function list(ctx: TurnContext): Promise<void> {
    const page = await store.indexRange(organiserKeys.members(tenantOf(ctx)), { limit: 100 });
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('organisers.list.title') }];
    blocks.push({ type: 'text', text: ctx.t('organisers.list.configured'), tone: 'muted' });
    if (page.entries.length === 0) blocks.push({ type: 'text', text: ctx.t('organisers.list.empty') });
    page.entries.forEach((entry, i) => {
      const self = entry.member === ctx.person;
      blocks.push({
        type: 'text',
        text: ctx.t(self ? 'organisers.list.itemSelf' : 'organisers.list.item', {
          n: i + 1,
          since: date(ctx, entry.score),
        }),
      });
      if (!self)
        blocks.push({
          type: 'buttons',
          buttons: [
            button(
              ctx.t('organisers.list.remove', { n: i + 1 }),
              routeTo(ORGANISERS_FEATURE, 'remove', { p: entry.member }),
              'danger',
            ),
          ],
        });
    });
    blocks.push({
      type: 'buttons',
      buttons: [button(ctx.t('organisers.list.invite'), routeTo(ORGANISERS_FEATURE, 'invite'), 'primary')],
    });
    await ctx.io.send({ text: ctx.t('organisers.list.title'), blocks }, privately(ctx));
  }

  async function invite(ctx: TurnContext): Promise<void> {
    let code = '';
    for (let i = 0; i < 8; i += 1) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const value: Invite = { tenant: tenantOf(ctx), platform: ctx.event.platform, by: ctx.person };
    await store.set(organiserKeys.invite(hash('invite', code)), value, INVITE_TTL_MS);
    await log(ctx, 'organiser.invited');
    await ctx.io.send(
      textMessage(ctx.t('organisers.invite.code', { code, until: date(ctx, ctx.now + INVITE_TTL_MS) })),
      privately(ctx),
    );
  }

  async function join(ctx: TurnContext, args: string): Promise<void> {
    const code = args.replace(/\s+/g, '').toUpperCase();
    const key = organiserKeys.invite(hash('invite', code));
    const found = code ? await store.get<Invite>(key) : undefined;
    // Only in the workspace or tenant it was made for; `delete` answers true once, so a code works once.
    if (
      !found ||
      found.tenant !== tenantOf(ctx) ||
      found.platform !== ctx.event.platform ||
      !(await store.delete(key))
    ) {
      await ctx.io.send(textMessage(ctx.t('organisers.join.invalid'), 'warning'), privately(ctx));
      return;
    }
    const record: MemberRecord = { tenant: found.tenant, addedBy: found.by, addedAt: ctx.now };
    const memberKey = organiserKeys.member(ctx.person);
    await store.track(ctx.person, memberKey);
    await store.set(memberKey, record);
    await store.indexAdd(organiserKeys.members(found.tenant), ctx.person, ctx.now);
    await log(ctx, 'organiser.joined');
    await ctx.io.send(textMessage(ctx.t('organisers.join.done')), privately(ctx));
    await hub(ctx);
  }

  async function remove(ctx: TurnContext, data: { p: string }): Promise<void> {
    const record = await store.get<MemberRecord>(organiserKeys.member(data.p));
    if (!record || record.tenant !== tenantOf(ctx)) {
      await ctx.io.send(textMessage(ctx.t('organisers.remove.notFound'), 'muted'), privately(ctx));
      return;
    }
    await store.delete(organiserKeys.member(data.p));
    await store.indexRemove(organiserKeys.members(record.tenant), data.p);
    await log(ctx, 'organiser.removed', data.p);
    await ctx.io.update(textMessage(ctx.t('organisers.remove.done')));
  }

  function escalationForm(ctx: TurnContext, values: EscalationContacts, error?: string): Block {
    const field = (id: 'name' | 'phone' | 'url', maxLength: number): FormField => ({
      id,
      label: ctx.t(`organisers.escalation.fields.${id}`),
      kind: 'text',
      maxLength,
      ...(values[id] ? { value: values[id] } : {}),
    });
    return {
      type: 'form',
      title: ctx.t('organisers.escalation.title'),
      fields: [field('name', 200), field('phone', 50), field('url', 500)],
      submitLabel: ctx.t('organisers.escalation.save'),
      route: routeTo(ORGANISERS_FEATURE, 'saveEscalation'),
      openRoute: commandRoute('escalation'),
      ...(error ? { error } : {}),
    };
  }

  async function escalation(ctx: TurnContext): Promise<void> {
    const tenant = tenantOf(ctx);
    const current = await escalationContacts(store, config, tenant);
    const own = await hasEscalationOverride(store, tenant);
    const blocks: Block[] = [
      { type: 'heading', text: ctx.t('organisers.escalation.title') },
      { type: 'text', text: ctx.t(own ? 'organisers.escalation.own' : 'organisers.escalation.fromConfig') },
      escalationForm(ctx, current),
    ];
    if (own)
      blocks.push({
        type: 'buttons',
        buttons: [button(ctx.t('organisers.escalation.clear'), routeTo(ORGANISERS_FEATURE, 'clearEscalation'))],
      });
    await ctx.io.send({ text: ctx.t('organisers.escalation.title'), blocks }, privately(ctx));
  }

  async function saveEscalation(ctx: TurnContext, input: { fields?: Record<string, string | string[]> }) {
    const values: EscalationContacts = {
      name: fieldText(input, 'name') || undefined,
      phone: fieldText(input, 'phone') || undefined,
      url: fieldText(input, 'url') || undefined,
    };
    let error: string | undefined;
    if (!values.name && !values.phone && !values.url) error = ctx.t('organisers.escalation.errors.empty');
    else if ((values.name?.length ?? 0) > 200) error = ctx.t('organisers.escalation.errors.name');
    else if ((values.phone?.length ?? 0) > 50 || (values.phone && !/^[+\d][\d\s()-]{1,49}$/.test(values.phone)))
      error = ctx.t('organisers.escalation.errors.phone');
    else if (values.url && !z.url({ protocol: /^https?$/ }).safeParse(values.url).success)
      error = ctx.t('organisers.escalation.errors.url');
    if (error) {
      // Nothing typed is lost: the form comes back with what was sent and the reason.
      const form = escalationForm(ctx, values, error);
      await ctx.io.send({ text: error, blocks: [form] }, privately(ctx));
      return;
    }
    await setEscalationContacts(store, tenantOf(ctx), values);
    await log(ctx, 'escalation.set');
    await ctx.io.send(textMessage(ctx.t('organisers.escalation.saved')), privately(ctx));
  }

  async function clearEscalation(ctx: TurnContext): Promise<void> {
    await setEscalationContacts(store, tenantOf(ctx), undefined);
    await log(ctx, 'escalation.cleared');
    await ctx.io.update(textMessage(ctx.t('organisers.escalation.cleared')));
  }

  async function auditLog(ctx: TurnContext): Promise<void> {
    const entries = await audit.recent(tenantOf(ctx), 20);
    const lines = entries.map((e) =>
      ctx.t('organisers.audit.line', {
        when: date(ctx, e.at),
        who: e.who === ctx.person ? ctx.t('organisers.audit.you') : e.who === 'api' ? 'API' : e.who.slice(0, 6),
        what: ctx.t(`organisers.audit.actions.${e.what.replace('.', '_')}`),
      }),
    );
    await ctx.io.send(
      {
        text: ctx.t('organisers.audit.title'),
        blocks: [
          { type: 'heading', text: ctx.t('organisers.audit.title') },
          { type: 'text', text: lines.length > 0 ? lines.join('\n') : ctx.t('organisers.audit.empty') },
          {
            type: 'text',
            text: ctx.t('organisers.audit.retention', { days: config.auditRetentionDays }),
            tone: 'muted',
          },
        ],
      },
      privately(ctx),
    );
  }

  const organiser = 'organiser' as const;
  return {
    id: ORGANISERS_FEATURE,
    commands: {
      organiser: { words: ['organisator', 'organiser', 'organizer'], audience: organiser, run: hub },
      organisers: { words: ['organisatoren', 'organisers', 'organizers'], audience: organiser, run: list },
      join: { words: ['organisator worden', 'become organiser'], takesArgument: true, run: join },
      escalation: { words: ['escalatie', 'escalation'], audience: organiser, run: escalation },
      auditLog: { words: ['logboek', 'audit log', 'auditlog'], audience: organiser, run: auditLog },
    },
    actions: {
      invite: action(NoData, invite, organiser),
      remove: action(PersonData, remove, organiser),
      saveEscalation: action(NoData, (ctx, _data, input) => saveEscalation(ctx, input), organiser),
      clearEscalation: action(NoData, clearEscalation, organiser),
    },
    async authorize(ctx, audience) {
      return audience === 'organiser' && roles.isOrganiser(ctx.event.user, ctx.person);
    },
    personData: {
      async describe(ctx) {
        const record = await store.get<MemberRecord>(organiserKeys.member(ctx.person));
        return record ? [ctx.t('organisers.myData', { since: date(ctx, record.addedAt) })] : [];
      },
      async beforeForget(ctx) {
        const record = await store.get<MemberRecord>(organiserKeys.member(ctx.person));
        if (record) await store.indexRemove(organiserKeys.members(record.tenant), ctx.person);
      },
      async rekey(from, to) {
        const record = await store.get<MemberRecord>(organiserKeys.member(from));
        if (record) await store.indexRenameMember(organiserKeys.members(record.tenant), from, to);
      },
    },
    async start() {
      deps.queue.work(AUDIT_JOB, async () => {
        await audit.purge(deps.now() - config.auditRetentionDays * DAY_MS);
        return { retryAt: deps.now() + DAY_MS };
      });
      await deps.queue.add({ name: AUDIT_JOB, id: 'organisers-audit-purge', data: {}, runAt: deps.now() + DAY_MS });
    },
  };
}
