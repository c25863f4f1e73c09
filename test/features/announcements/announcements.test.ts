import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { buttonsOf } from '../../support/make-bot.js';
import { formOf, organiserBot, person, submit, turn } from './support.js';

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 8000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('organisers, subscriptions and announcements in the chat', () => {
  let bot: Core | undefined;
  afterEach(async () => {
    await bot?.stopBackground();
    await bot?.store.close();
  });

  it('refuses organiser commands and buttons to others, politely, and keeps them out of the menus', async () => {
    const setup = await organiserBot();
    bot = setup.bot;
    const stranger = person('USTRANGER', 'slack');
    const refused = await turn(bot, stranger.says('aankondiging'));
    expect(refused.texts()).toEqual([expect.stringContaining('alleen voor organisatoren')]);
    const click = await turn(bot, stranger.clicks({ route: { feature: 'announcements', verb: 'confirm' } }));
    expect(click.texts()).toEqual([expect.stringContaining('alleen voor organisatoren')]);
    const names = bot.pipeline.table.menuCommands('personal').map((c) => c.name);
    expect(names).toContain('subscribe');
    for (const hidden of ['announce', 'announcements', 'topics', 'organisers', 'escalation', 'auditLog', 'organiser'])
      expect(names).not.toContain(hidden);
  });

  it('lets an organiser invite another one with a code that works once, in the same workspace only', async () => {
    const setup = await organiserBot();
    bot = setup.bot;
    const organiser = person('UORG', 'slack');
    await turn(bot, organiser.says('organisatoren'));
    const invite = await turn(bot, organiser.clicks({ route: { feature: 'organisers', verb: 'invite' } }));
    const code = /organisator worden ([A-Z0-9]{8})/.exec(invite.texts().join('\n'))?.[1];
    expect(code).toBeDefined();
    const newcomer = person('UNEW', 'slack');
    expect((await turn(bot, newcomer.says('aankondiging'))).texts()[0]).toContain('alleen voor organisatoren');
    const other = { ...person('UOTHER', 'slack').says(`organisator worden ${code}`) };
    other.user = { ...other.user, tenantId: 'T-ELSEWHERE' };
    expect((await turn(bot, other)).texts()[0]).toContain('werkt niet');
    expect((await turn(bot, newcomer.says(`organisator worden ${code}`))).texts()[0]).toContain('Welkom');
    expect((await turn(bot, person('U3', 'slack').says(`organisator worden ${code}`))).texts()[0]).toContain(
      'werkt niet',
    );
    expect(formOf((await turn(bot, newcomer.says('aankondiging'))).last())).toBeDefined();
    const log = await turn(bot, organiser.says('logboek'));
    const text = log.texts().join('\n') + JSON.stringify(log.last()?.blocks);
    expect(text).toContain('organisator geworden');
    expect(text).toContain('uitnodigingscode gemaakt');
    expect(text).not.toContain('UNEW');
  });

  it('overrides the escalation contacts for the workspace, and the form keeps what was typed on an error', async () => {
    const setup = await organiserBot({ ESCALATION_CONTACT_NAME: 'Config contact' });
    bot = setup.bot;
    const organiser = person('UORG', 'slack');
    const shown = await turn(bot, organiser.says('escalatie'));
    const form = formOf(shown.last())!;
    expect(form.fields.find((f) => f.id === 'name')?.value).toBe('Config contact');
    const bad = await turn(bot, organiser.clicks(submit(form, { name: 'Team veiligheid', url: 'ftp://x' })));
    const again = formOf(bad.last())!;
    expect(again.error).toContain('https://');
    expect(again.fields.find((f) => f.id === 'name')?.value).toBe('Team veiligheid');
    await turn(bot, organiser.clicks(submit(form, { name: 'Team veiligheid', phone: '+31 20 123 4567' })));
    const { escalationContacts, tenantHash } = await import('../../../src/core/tenant-settings.js');
    const own = await escalationContacts(bot.store, bot.config, tenantHash(bot.hash, 'slack', 'T1'));
    expect(own).toEqual({ name: 'Team veiligheid', phone: '+31 20 123 4567' });
    const elsewhere = await escalationContacts(bot.store, bot.config, tenantHash(bot.hash, 'slack', 'T2'));
    expect(elsewhere.name).toBe('Config contact');
  });

  it('composes, previews and delivers an announcement to subscribers only after they opted in, with progress', async () => {
    const setup = await organiserBot();
    bot = setup.bot;
    await bot.startBackground();
    const organiser = person('UORG', 'console');
    const reader = person('UREADER', 'console');
    const bystander = person('UBYSTANDER', 'console');
    await turn(bot, bystander.says('help'));
    const overview = await turn(bot, reader.says('abonneren'));
    const subscribe = [...buttonsOf(overview.last()).entries()].find(([label]) => label.startsWith('Aanmelden'))!;
    await turn(bot, reader.clicks(subscribe[1]));

    const form = formOf((await turn(bot, organiser.says('aankondiging'))).last())!;
    const noText = await turn(bot, organiser.clicks(submit(form, { title: 'Masterclass', audience: ['subscribers'] })));
    const kept = formOf(noText.last())!;
    expect(kept.error).toContain('tekst');
    expect(kept.fields.find((f) => f.id === 'title')?.value).toBe('Masterclass');
    const noAudience = await turn(bot, organiser.clicks(submit(form, { text: 'Doe mee op 1 december' })));
    expect(formOf(noAudience.last())?.error).toContain('naar wie');
    const past = await turn(
      bot,
      organiser.clicks(submit(form, { text: 'x', audience: ['subscribers'], sendAt: '2001-01-01 10:00' })),
    );
    expect(formOf(past.last())?.error).toContain('voorbij');

    const preview = await turn(
      bot,
      organiser.clicks(
        submit(form, { title: 'Masterclass', text: 'Doe mee op 1 december', audience: ['subscribers'] }),
      ),
    );
    expect(preview.texts()[0]).toContain('Voorbeeld');
    const confirm = await turn(bot, organiser.clicks(buttonsOf(preview.last()).get('Versturen')!));
    expect(confirm.log.some((r) => r.op === 'send' && r.direct)).toBe(true);
    await until(() => setup.updates.some((u) => u.message.text.includes('1 van 1')) && setup.sent.length >= 1);
    expect(setup.sent.map((s) => s.to.conversationId)).toEqual(['D-UREADER']);
    expect(setup.sent[0]!.message.text).toContain('Doe mee op 1 december');
    await until(() =>
      setup.updates.some((u) => u.message.blocks.some((b) => b.type === 'heading' && b.text.startsWith('Klaar'))),
    );
  });

  it('forgets a subscriber with the messages still queued for them', async () => {
    const setup = await organiserBot({ QUIET_HOURS: '00:00-23:59' });
    bot = setup.bot;
    await bot.startBackground();
    const reader = person('UREADER', 'console');
    const overview = await turn(bot, reader.says('abonneren'));
    await turn(bot, reader.clicks([...buttonsOf(overview.last()).values()][0]!));
    const organiser = person('UORG', 'console');
    const form = formOf((await turn(bot, organiser.says('aankondiging'))).last())!;
    const preview = await turn(bot, organiser.clicks(submit(form, { text: 'Hallo', audience: ['subscribers'] })));
    await turn(bot, organiser.clicks(buttonsOf(preview.last()).get('Versturen')!));
    await until(async () => (await bot!.queue.size('broadcast.send.console')) === 1);
    const myData = await turn(bot, reader.says('mijn gegevens'));
    expect(JSON.stringify(myData.last())).toContain('Algemeen');
    await turn(bot, reader.clicks({ route: { feature: 'privacy', verb: 'confirm' } }));
    expect(await bot.queue.size('broadcast.send.console')).toBe(0);
    expect(setup.sent).toHaveLength(0);
  });
});
