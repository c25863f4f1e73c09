import { describe, expect, it } from 'vitest';
import { createCore } from '../../src/app.js';
import { openSqliteStore } from '../../src/store/create-store.js';
import { openMemoryStore } from '../../src/store/create-store.js';
import { silentLogger } from '../../src/logger.js';
import { captureLogger } from '../support/capture-logger.js';
import {
  makeBot,
  person,
  buttonsOf,
  questionBlock,
  recordingIO,
  sampleFeatures,
  TEST_DIALOGS_DIR,
  testConfig,
} from '../support/make-bot.js';
import type { ActionPayload } from '../../src/message/types.js';

describe('bot core', () => {
  it('ignores a redelivered event (same id) and answers the first only', async () => {
    const core = await makeBot({ features: 'sample' });
    const io = recordingIO();
    const event = person().says('help');
    await core.receive(event, io);
    await core.receive(event, io);
    expect(io.log).toHaveLength(1);
    expect(io.texts()[0]).toContain('Dit kan ik voor je doen');
  });

  it('answers what it cannot answer in one short line with the buttons that fit, not the whole help', async () => {
    const core = await makeBot({ features: 'sample' });
    for (const event of [person().command('dansen'), person().says('hoe zit het met het azc?')]) {
      const io = recordingIO();
      await core.receive(event, io);
      expect(io.log).toHaveLength(1);
      expect(io.texts()).toEqual([
        'Daar kan ik geen antwoord op geven. Ik kan je wel helpen om er zelf naar te kijken:',
      ]);
      expect([...buttonsOf(io.last()).keys()]).toEqual(['Check-in starten', 'Leren over polarisatie', 'Help']);
    }
  });

  it('understands greetings, thanks and the names of the languages, with punctuation', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-polite');
    const said = async (text: string) => {
      const io = recordingIO();
      await core.receive(who.says(text), io);
      return io;
    };
    for (const hello of ['hallo', 'Hoi!', 'hi'])
      expect((await said(hello)).texts()).toEqual(['Hallo! Waar wil je mee beginnen?']);
    for (const thanks of ['dank je', 'Dank je wel!', 'bedankt.'])
      expect((await said(thanks)).texts()).toEqual(['Graag gedaan!']);
    expect((await said('English')).texts()).toEqual(['I will talk to you in English now.']);
    expect((await said('thanks')).texts()).toEqual(["You're welcome!"]);
    expect((await said('Nederlands')).texts()).toEqual(['Ik praat nu Nederlands met je.']);
  });

  it('accepts Dutch and English command words regardless of case, accents and hyphens', async () => {
    const core = await makeBot({ features: 'sample' });
    for (const words of ['Mijn-Gegevens', 'my data', 'MIJN GEGEVENS']) {
      const io = recordingIO();
      await core.receive(person().says(words), io);
      expect(io.last()?.blocks[0]).toMatchObject({ type: 'heading', text: 'Wat ik over je bewaar' });
    }
  });

  it('runs a dialog with buttons: progress, update in place, stale and double clicks change nothing', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-dialog');
    const io = recordingIO();
    await core.receive(who.says('checkin'), io);
    const first = io.last();
    // The path still depends on answers to come: "about"; no fixed total that would jump.
    expect(first?.blocks.find((b) => b.type === 'progress')).toMatchObject({
      label: 'Vraag 1 · nog ongeveer 4 vragen',
    });
    const topic = questionBlock(first);
    expect(topic?.type).toBe('single');
    const click: ActionPayload = { route: topic!.route, choice: 'wind' };

    const io2 = recordingIO();
    await core.receive(who.clicks(click), io2);
    expect(io2.log[0]?.op).toBe('update');
    expect(questionBlock(io2.last())?.route.data?.s).toBe('voices');

    // The same button again (a double click, a new event id): nothing changes, and we say so kindly.
    const io3 = recordingIO();
    await core.receive(who.clicks(click), io3);
    expect(io3.texts()).toEqual([
      'Deze knop hoort bij een eerdere vraag. Er is niets veranderd. Gebruik de knoppen bij de laatste vraag.',
    ]);

    // The open question is still the second one.
    const io4 = recordingIO();
    await core.receive(who.says('help'), io4);
    expect(questionBlock(io4.last())?.route.data?.s).toBe('voices');
  });

  it('lets a person run the same dialog again after stopping it (answers of one run never block the next)', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-again');
    for (let run = 0; run < 2; run++) {
      const io = recordingIO();
      await core.receive(who.says('checkin'), io);
      await core.receive(who.clicks({ route: questionBlock(io.last())!.route, choice: 'wind' }), io);
      expect(io.texts().join('\n')).not.toContain('al binnen');
      expect(questionBlock(io.last())?.route.data?.s).toBe('voices');
      await core.receive(who.says('stop'), io);
    }
  });

  it('lets an answer whose storing failed be given again, not refused as "already in"', async () => {
    const store = openMemoryStore();
    const core = await makeBot({ store, features: 'sample' });
    const who = person('U-failing-store');
    const io = recordingIO();
    await core.receive(who.says('checkin'), io);
    const action = { route: questionBlock(io.last())!.route, choice: 'wind' };
    const realCas = store.compareAndSet.bind(store);
    let failures = 1;
    store.compareAndSet = async (key, version, next, ttl) => {
      if (key.startsWith('dialog:') && failures-- > 0) throw new Error('disk full');
      return realCas(key, version, next, ttl);
    };
    const failed = recordingIO();
    await core.receive(who.clicks(action), failed);
    expect(failed.texts()).toEqual(['Er ging iets mis aan onze kant. Probeer het zo nog eens.']);
    const retry = recordingIO();
    await core.receive(who.clicks(action), retry);
    expect(retry.texts().join('\n')).not.toContain('al binnen');
    expect(questionBlock(retry.last())?.route.data?.s).toBe('voices');
  });

  it('goes one question back with "terug" and stops with "stop", deleting the answers', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-back');
    const io = recordingIO();
    await core.receive(who.says('checkin'), io);
    await core.receive(who.clicks({ route: questionBlock(io.last())!.route, choice: 'budget' }), io);
    expect(questionBlock(io.last())?.route.data?.s).toBe('voices');
    await core.receive(who.says('terug'), io);
    expect(questionBlock(io.last())?.route.data?.s).toBe('topic');
    await core.receive(who.says('stop'), io);
    expect(io.texts().at(-1)).toContain('Je bent gestopt');
    const after = recordingIO();
    await core.receive(who.says('stop'), after);
    expect(after.texts()).toEqual(['Er loopt nu geen check-in, dus er is niets om te stoppen.']);
  });

  it('free text where a choice is expected: the live card gets the hint in place, the chat one short pointer', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-text', 'slack');
    const io = recordingIO();
    await core.receive(who.says('checkin'), io);
    const card = { conversation: expect.objectContaining({ conversationId: 'c' }), messageId: 'm1' };
    const reply = recordingIO();
    await core.receive(who.says('ik weet het niet goed'), reply);
    expect(reply.log.map((r) => r.op)).toEqual(['update', 'send']);
    // The card that was sent for the question, not a new one: its question, now with Slack's hint.
    expect(reply.log[0]).toMatchObject({ op: 'update', target: card });
    expect(reply.log[0]!.op === 'update' && reply.log[0]!.message.blocks).toContainEqual({
      type: 'text',
      text: 'Kies een van de knoppen hieronder.',
      tone: 'warning',
    });
    expect(questionBlock(reply.log[0]!.op === 'update' ? reply.log[0]!.message : undefined)?.route.data?.s).toBe(
      'topic',
    );
    expect(reply.sent().map((m) => m.text)).toEqual([
      'Kies je antwoord op vraag 1 met de knoppen hierboven. Of typ stop om te stoppen.',
    ]);
    expect(questionBlock(reply.sent()[0])).toBeUndefined();

    // A typed label works like the button: the answered card loses its buttons, the next question is a new card.
    const label = recordingIO();
    await core.receive(who.says('windmolens'), label);
    expect(label.log[0]).toMatchObject({ op: 'update', target: card });
    const retired = label.log[0]!.op === 'update' ? label.log[0]!.message : undefined;
    expect(retired?.blocks.some((b) => b.type === 'buttons' || b.type === 'single')).toBe(false);
    // Answered; the answer itself is not repeated on a card that stays on the screen.
    expect(retired?.text).toContain('Beantwoord. De volgende vraag staat hieronder.');
    expect(retired?.text).not.toContain('Windmolens');
    expect(questionBlock(label.sent()[0])?.route.data?.s).toBe('voices');

    // "Versturen" with nothing ticked: the same card, updated in place with the hint; nothing new is posted.
    const empty = recordingIO();
    await core.receive(who.clicks({ route: questionBlock(label.sent()[0])!.route, values: [] }), empty);
    expect(empty.log.map((r) => r.op)).toEqual(['update']);
    expect(empty.log[0]).not.toHaveProperty('target');
    expect(empty.last()?.text).toContain('Kies er minstens één.');
    expect(questionBlock(empty.last())?.route.data?.s).toBe('voices');
  });

  it('in the terminal the pointer speaks of numbers; in Teams of the card', async () => {
    const core = await makeBot({ features: 'sample' });
    for (const [platform, pointer] of [
      ['console', 'Typ het nummer van je keuze bij vraag 1. Of typ stop om te stoppen.'],
      ['teams', 'Kies je antwoord op vraag 1 op de kaart hierboven. Of typ stop om te stoppen.'],
    ] as const) {
      const who = person(`U-pointer-${platform}`, platform);
      await core.receive(who.says('checkin'), recordingIO());
      const reply = recordingIO();
      await core.receive(who.says('geen idee'), reply);
      expect(reply.sent().map((m) => m.text)).toEqual([pointer]);
    }
  });

  it('stores one answer when two replicas handle two clicks on the same question at once', async () => {
    const store = openMemoryStore();
    const a = await makeBot({ store, features: 'sample' });
    const b = await makeBot({ store, features: 'sample' });
    const who = person('U-race');
    const io = recordingIO();
    await a.receive(who.says('checkin'), io);
    const route = questionBlock(io.last())!.route;
    const ioA = recordingIO();
    const ioB = recordingIO();
    await Promise.all([
      a.receive(who.clicks({ route, choice: 'wind' }), ioA),
      b.receive(who.clicks({ route, choice: 'housing' }), ioB),
    ]);
    const texts = [...ioA.texts(), ...ioB.texts()];
    expect(texts.filter((t) => t.includes('Je antwoord was al binnen') || t.includes('eerdere vraag'))).toHaveLength(1);
    const check = recordingIO();
    await a.receive(who.says('help'), check);
    expect(questionBlock(check.last())?.route.data).toMatchObject({ s: 'voices', t: '1' });
  });

  it('resumes a dialog left half-way at the same question after a restart (SQLite)', async () => {
    const config = testConfig();
    const who = person('U-restart');
    const first = await createCore(config, {
      features: sampleFeatures,
      extraDialogDirs: [TEST_DIALOGS_DIR],
      log: silentLogger(),
      store: openSqliteStore({ path: config.store.databasePath, log: silentLogger() }),
    });
    const io = recordingIO();
    await first.receive(who.says('checkin'), io);
    await first.receive(who.clicks({ route: questionBlock(io.last())!.route, choice: 'wind' }), io);
    await first.store.close();

    const second = await createCore(config, {
      features: sampleFeatures,
      extraDialogDirs: [TEST_DIALOGS_DIR],
      log: silentLogger(),
      store: openSqliteStore({ path: config.store.databasePath, log: silentLogger() }),
    });
    const io2 = recordingIO();
    await second.receive(who.installs(), io2);
    expect(io2.texts().join('\n')).toContain('We gaan verder bij de vraag waar je was');
    expect(questionBlock(io2.last())?.route.data).toMatchObject({ s: 'voices', t: '1' });
    await second.store.close();
  });

  it('switches language with "taal en" and keeps it', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-lang');
    const io = recordingIO();
    await core.receive(who.says('taal en'), io);
    expect(io.texts()[0]).toBe('I will talk to you in English now.');
    const io2 = recordingIO();
    await core.receive(who.says('help'), io2);
    expect(io2.texts()[0]).toContain('This is what I can do');
    expect(io2.last()?.locale).toBe('en');
  });

  it('speaks Dutch whatever locale the client reports, until the person picks English; after "vergeet mij" Dutch again', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-en');
    const io = recordingIO();
    await core.receive({ ...who.installs(), locale: 'en-US' }, io);
    expect(io.texts()[0]).toContain('Hallo! Ik ben Bubbelbreker.');
    // One tap on the welcome, in English so an English speaker can read it.
    const english = buttonsOf(io.last()).get('Continue in English');
    expect(english).toBeDefined();
    await core.receive({ ...who.clicks(english!), locale: 'en-US' }, io);
    expect(io.texts().at(-1)).toBe('I will talk to you in English now.');
    const help = recordingIO();
    await core.receive({ ...who.says('help'), locale: 'nl-NL' }, help);
    expect(help.texts()[0]).toContain('This is what I can do');

    await core.receive(who.says('forget me'), io);
    await core.receive(who.clicks(buttonsOf(io.last()).values().next().value!), io);
    const after = recordingIO();
    await core.receive({ ...who.says('help'), locale: 'en-GB' }, after);
    expect(after.texts()[0]).toContain('Dit kan ik voor je doen');
  });

  it('follows DEFAULT_LOCALE for a deployment, and then offers Dutch in Dutch', async () => {
    const core = await makeBot({ features: 'sample', env: { DEFAULT_LOCALE: 'en' } });
    const io = recordingIO();
    await core.receive(person('U-default-en').installs(), io);
    expect(io.texts()[0]).toContain('Hello! I am Bubbelbreker.');
    expect(buttonsOf(io.last()).has('Verder in het Nederlands')).toBe(true);
  });

  it('tells a group chat or channel to mention the bot, in the words of the platform', async () => {
    const core = await makeBot({ features: 'sample' });
    for (const [platform, words] of [
      [
        'teams',
        'In een groepschat of kanaal reageer ik alleen als je me noemt. Typ bijvoorbeeld: @Bubbelbreker checkin.',
      ],
      ['slack', 'Of gebruik /bubbelbreker checkin.'],
    ] as const) {
      const event = person(`U-group-${platform}`, platform).installs();
      const io = recordingIO();
      await core.receive(
        { ...event, conversation: { ...event.conversation, conversationId: `G-${platform}`, isDirect: false } },
        io,
      );
      expect(io.texts()[0]).toContain(words);
    }
    const direct = recordingIO();
    await core.receive(person('U-group-dm', 'teams').installs(), direct);
    expect(direct.texts()[0]).not.toContain('@Bubbelbreker');
  });

  it('forgets everything about a person after confirmation, and a repeat is a no-op', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-forget');
    const io = recordingIO();
    await core.receive(who.says('taal nl'), io);
    await core.receive(who.says('checkin'), io);
    await core.receive(who.says('vergeet mij'), io);
    const confirm = io.last()!.blocks.find((b) => b.type === 'buttons');
    expect(confirm?.type === 'buttons' && confirm.buttons[0]?.style).toBe('danger');
    const yes = confirm?.type === 'buttons' ? { route: confirm.buttons[0]!.route } : undefined;
    await core.receive(who.clicks(yes!), io);
    // It says what it deleted: the check-in that was running and the language choice.
    expect(io.texts().at(-1)).toBe(
      'Gewist\nIk heb gewist wat ik over je bewaarde:\n• je check-in die nog liep\n• je taalkeuze',
    );
    // The open question's card lost its buttons.
    const retired = io.log.find((r) => r.op === 'update' && r.target);
    expect(retired?.op === 'update' && retired.message.text).toContain('Gewist.');
    expect(retired?.op === 'update' && retired.message.blocks.some((b) => b.type === 'buttons')).toBe(false);
    const again = recordingIO();
    await core.receive(who.clicks(yes!), again);
    expect(again.texts()).toEqual(['Er was niets (meer) bewaard. Er is niets veranderd.']);
  });

  it('treats names from input as data: "taal constructor" asks for a language, a "__proto__" button is unknown', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-proto');
    const io = recordingIO();
    await core.receive(who.says('taal constructor'), io);
    expect(io.texts()).toEqual(['In welke taal wil je verder?']);
    const inactive = ['Deze knop werkt niet meer. Kies Help om te zien wat ik wel kan.'];
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) {
      for (const route of [
        { feature: name, verb: 'x' },
        { feature: 'core', verb: name },
        { feature: 'core', verb: 'command', data: { name } },
      ]) {
        const click = recordingIO();
        await core.receive(who.clicks({ route }), click);
        expect(click.texts()).toEqual(inactive);
        expect([...buttonsOf(click.last()).keys()]).toEqual(['Help']);
      }
    }
  });

  it('answers "mijn gegevens" and "vergeet mij" asked in a channel in the private chat', async () => {
    const core = await makeBot({ features: 'sample' });
    for (const words of ['mijn gegevens', 'vergeet mij']) {
      const event = person('U-public').says(words);
      const io = recordingIO();
      await core.receive({ ...event, conversation: { ...event.conversation, isDirect: false } }, io);
      expect(io.log.length).toBeGreaterThan(0);
      expect(io.log.every((r) => r.op === 'send' && r.direct)).toBe(true);
    }
  });

  it('starts the dialog in a direct message when asked in a channel', async () => {
    const core = await makeBot({ features: 'sample' });
    const event = person('U-channel').says('checkin');
    const io = recordingIO();
    await core.receive({ ...event, conversation: { ...event.conversation, isDirect: false } }, io);
    expect(io.log[0]).toMatchObject({
      op: 'send',
      direct: false,
      message: { text: 'Ik heb je een privébericht gestuurd. Je antwoorden zijn alleen voor jou.' },
    });
    expect(io.log.at(-1)).toMatchObject({ op: 'send', direct: true });
    expect(questionBlock(io.last())?.route.data?.s).toBe('topic');
  });

  it('answers a crash inside a turn kindly and never logs the user text', async () => {
    const capture = captureLogger();
    const core = await makeBot({ log: capture.log, features: 'sample' });
    const io = recordingIO();
    io.send = async (message) => {
      if (!message.text.includes('Er ging iets mis')) throw new Error(`boom CANARY-${'x'}`);
      io.log.push({ op: 'send', message, direct: false });
      return undefined;
    };
    await core.receive(person('U-crash').says('CANARY-secret-answer help'), io);
    expect(io.texts()).toEqual(['Er ging iets mis aan onze kant. Probeer het zo nog eens.']);
    const logged = capture.text();
    expect(logged).toContain('turn failed');
    expect(logged).not.toContain('CANARY');
  });

  it('shutdown waits for turns in flight only so long, and says how many it left behind', async () => {
    const core = await makeBot({ features: 'sample' });
    const io = recordingIO();
    io.send = () => new Promise(() => undefined); // a platform that never answers
    void core.receive(person('U-hang').says('help'), io);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await core.pipeline.drain(50)).toBe(1);
    expect(await makeBot({ features: 'sample' }).then((c) => c.pipeline.drain(50))).toBe(0);
  });
});
