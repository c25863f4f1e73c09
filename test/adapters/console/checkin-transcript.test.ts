import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runChat } from '../../../src/main.js';
import { silentLogger } from '../../../src/logger.js';
import { openMemoryStore } from '../../../src/store/create-store.js';
import { testConfig } from '../../support/make-bot.js';

/** Feed lines to the terminal chat (the same path `npm run chat` takes) and return everything it printed. */
async function transcript(lines: string[]): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const done = runChat(
    testConfig(),
    { input, output, interactive: false },
    { log: silentLogger(), store: openMemoryStore() },
  );
  input.end(`${lines.join('\n')}\n`);
  await done;
  return printed;
}

describe('the whole check-in through the terminal chat', () => {
  it('in Dutch: a council member on a dossier that is conflict and polarisation at once', async () => {
    const out = await transcript([
      'checkin',
      '1', // ja, ik doe mee
      '3', // allebei
      '2,5', // debat, vaste beelden
      '1', // geen bedreiging
      '5', // meebeslissen beloofd
      '1', // alleen geïnformeerd
      '1,5', // stille midden, wantrouwen
      '1,3,8', // pushers, stil midden, ik sta erboven
      '4', // alleen toon
      'Volgende week met de wijkagent praten',
      '4', // Toon uitleg (after the three modules' buttons)
      'mijn resultaten',
    ]);
    // Consent first: what is kept, for how long, who sees it.
    expect(out).toContain('== Voor je begint ==');
    expect(out).toContain('Alleen jij ziet ze; organisatoren zien alleen anonieme totalen van groepen.');
    // No total that jumps by path: "about" until the path is known, then exact.
    expect(out).toContain('[Vraag 1 · nog ongeveer 7 vragen]');
    expect(out).toContain('[Vraag 5 · nog 3 vragen]');
    expect(out).toContain('[Vraag 8 · de laatste vraag]');
    expect(out).not.toMatch(/Vraag \d+ van \d+/);
    expect(out).toContain('[Tot slot (niet verplicht)]');
    // The three layers: three summary lines, the ladder as a line of text, the modules.
    expect(out).toContain(
      [
        '== Jouw check-in: wat valt op ==',
        'Je beschrijft een conflict, met wij-zij-denken eromheen.',
        'Het lijkt rond trede 4 tot 5 van de 9 te staan: één kant wil winnen. Dit is vrij zeker.',
      ].join('\n'),
    );
    expect(out).toContain('Escalatieladder: 1 2 3 | [4 5] 6 | 7 8 9');
    expect(out).toContain('Je notitie voor jezelf: ‘Volgende week met de wijkagent praten’');
    expect(out).toContain('Deze modules passen bij jouw situatie');
    expect(out).toMatch(/ {2}4\. Toon uitleg/);
    // Behind "Toon uitleg": the bridge-builder trap and the broken promise, with both rungs named.
    expect(out).toMatch(/Waarom: /);
    expect(out).toMatch(/bruggenbouwer/i);
    expect(out).toContain('Beloofd was: meebeslissen. Inwoners kregen: informeren.');
    expect(out).toContain('Dit laat één kijk op de situatie zien');
    expect(out).toContain('Je resultaat');
  });

  it('in English, with a typo answered by a hint and "back" going one question back', async () => {
    const out = await transcript([
      'language en',
      'checkin',
      '1', // ja, ik doe mee
      'maybe', // free text where a choice is expected
      '2', // polarisation
      'back',
      '2',
      '2', // debate
      '1', // no threats
      '9', // promised influence: don't know (so no question about what they got)
      '9', // voices: don't know
      '1,2', // pushers, joiners
      '5', // none of these
      '1', // the note
    ]);
    expect(out).toContain('Question 1 · about 7 questions to go');
    // Free text where a number is expected: one short line in the terminal's words, not the question again.
    expect(out).toContain('Type the number of your choice for question 1. Or type stop to stop.');
    expect(out.match(/What do you mainly see\?/g)).toHaveLength(2); // asked, and asked again after "back" only
    expect(out).toContain('Your check-in: what stands out');
    expect(out).toContain('Escalation ladder: 1 [2 3] | 4 5 6 | 7 8 9');
    expect(out).toContain('Goodbye!');
    expect(out).not.toContain('Vraag 2');
  });

  it('stops coaching and shows the escalation route when threats are reported', async () => {
    const out = await transcript(['checkin', '1', '2', '1', '2']); // wij-zij, still talking, threats
    expect(out).toContain('112');
    expect(out).not.toContain('Deze modules passen bij jouw situatie');
  });

  it('refuses a note over the limit with the limit named, and keeps the question open', async () => {
    // conflict, still talking, no threats, informing promised and delivered, silent middle, one side; then the note
    const out = await transcript(['checkin', '1', '1', '1', '1', '1', '1', '1', '1', 'x'.repeat(300)]);
    expect(out).toContain('Het maximum is 280 tekens');
    expect(out.match(/\[Tot slot \(niet verplicht\)\]/g)?.length).toBe(2);
  });
});
