import { describe, expect, it } from 'vitest';
import { createCore } from '../../src/app.js';
import { openSqliteStore } from '../../src/store/create-store.js';
import { openMemoryStore } from '../../src/store/create-store.js';
import { silentLogger } from '../../src/logger.js';
import { captureLogger } from '../support/capture-logger.js';
import {
  makeBot,
  person,
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

  it('answers an unknown command with the help text', async () => {
    const core = await makeBot({ features: 'sample' });
    const io = recordingIO();
    await core.receive(person().command('dansen'), io);
    expect(io.texts()[0]).toContain('Dat begreep ik niet');
    expect(io.texts()[0]).toContain('checkin');
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
    expect(first?.blocks.find((b) => b.type === 'progress')).toMatchObject({ label: 'Vraag 1 van 5' });
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
    expect(io3.texts()).toEqual(['Deze knop hoort bij een eerdere vraag. Er is niets veranderd.']);

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

  it('gives a hint and the question again when free text comes where a choice is expected', async () => {
    const core = await makeBot({ features: 'sample' });
    const who = person('U-text');
    const io = recordingIO();
    await core.receive(who.says('checkin'), io);
    const reply = recordingIO();
    await core.receive(who.says('ik weet het niet goed'), reply);
    expect(reply.texts()[0]).toContain('Kies een van de knoppen');
    expect(questionBlock(reply.last())?.route.data?.s).toBe('topic');
    // A typed label works like the button.
    const label = recordingIO();
    await core.receive(who.says('windmolens'), label);
    expect(questionBlock(label.last())?.route.data?.s).toBe('voices');
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

  it('uses the platform locale when the person chose none', async () => {
    const core = await makeBot({ features: 'sample' });
    const io = recordingIO();
    await core.receive({ ...person('U-en').says('help'), locale: 'en-GB' }, io);
    expect(io.texts()[0]).toContain('This is what I can do');
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
    expect(io.texts().at(-1)).toBe('Klaar. Ik heb alles gewist wat ik over je bewaarde.');
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
    const inactive = ['Deze knop werkt niet meer. Typ help om te zien wat ik kan.'];
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) {
      for (const route of [
        { feature: name, verb: 'x' },
        { feature: 'core', verb: name },
        { feature: 'core', verb: 'command', data: { name } },
      ]) {
        const click = recordingIO();
        await core.receive(who.clicks({ route }), click);
        expect(click.texts()).toEqual(inactive);
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
