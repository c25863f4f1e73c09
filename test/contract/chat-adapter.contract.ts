/**
 * The contract every ChatAdapter keeps, run against each adapter wired to a local stand-in of its platform and to
 * the real core. A platform that cannot do something states what it does instead (its capabilities): no case is
 * skipped, each asserts the behaviour that platform promises.
 *
 * Use: `chatAdapterContract('slack', factory)` in a `*.contract.test.ts`; the factory starts the stand-in, the core
 * and the adapter, and gives the test the person, a shared conversation, a way to drive an inbound turn and what
 * the platform received.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../src/app.js';
import { dialogKey } from '../../src/dialog/runner.js';
import type { DialogState } from '../../src/dialog/types.js';
import { AdapterError, RateLimitedError, RecipientUnreachableError } from '../../src/errors.js';
import type { ChatAdapter } from '../../src/message/adapter.js';
import type { ConversationRef, OutboundMessage, Route, UserRef } from '../../src/message/types.js';

/** One thing the platform received from the bot, as its stand-in recorded it. */
export interface PlatformRecord {
  op: 'send' | 'update' | 'remove' | 'open';
  /** Where it went (the 1:1 chat opened, for `open`). */
  conversationId?: string;
  /** The message sent, replaced or deleted (for `send`, the id the platform gave it). */
  messageId?: string;
  /** What the person sees of it: the notification text, or the terminal's printed lines. */
  text?: string;
}

/** What a platform can do, and what it does instead where it cannot. */
export interface ContractCapabilities {
  /** `in-place`: the platform replaces the message; `as-new-message`: it shows the new version below (terminal). */
  update: 'in-place' | 'as-new-message';
  /** `deletes`: remove() deletes and says true; `not-supported`: the adapter has no remove (nothing printed goes). */
  remove: 'deletes' | 'not-supported';
  /** `opens-a-chat`: openDirect asks the platform for the 1:1 chat; `the-one-conversation`: there is only one. */
  openDirect: 'opens-a-chat' | 'the-one-conversation';
  /** `platform-can-refuse`: a 4xx answer is possible and must surface as a typed final error; `never-refused`. */
  finalErrors: 'platform-can-refuse' | 'never-refused';
  /**
   * `same-control-twice`: an old card stays on screen, so one control can be used twice (the second use must change
   * nothing); `newest-question-only`: a line is always read against the newest question (terminal).
   */
  repeatClick: 'same-control-twice' | 'newest-question-only';
}

export interface ContractPlatform {
  adapter: ChatAdapter;
  core: Core;
  capabilities: ContractCapabilities;
  /** The person on the platform, as the adapter describes them in an inbound event. */
  user: UserRef;
  /** A shared conversation the stand-in knows (the terminal: its one conversation). */
  channel: ConversationRef;
  /** Everything the platform received, in order. */
  received(): PlatformRecord[];
  /** The person types `text` in their 1:1 chat; resolves when the turn is over. */
  say(text: string): Promise<void>;
  /**
   * The person uses the control labelled `label` on message `messageId` (as the platform shows it), `times` times
   * as fast as the platform allows; resolves when every turn is over.
   */
  click(messageId: string, label: string, times?: number): Promise<void>;
  /** The platform refuses the next call with a 4xx: the recipient blocked the bot, or a plain bad request. */
  refuseNext?(kind: 'blocked' | 'bad-request'): void;
  close(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractPlatform>;

const message = (text: string, buttons: { label: string; route: Route }[] = []): OutboundMessage => ({
  text,
  blocks: [{ type: 'text', text }, ...(buttons.length > 0 ? [{ type: 'buttons' as const, buttons }] : [])],
});

/** A route of a feature that no longer exists: a button from an older version of the bot. */
const GONE_ROUTE: Route = { feature: 'retired', verb: 'old', data: { id: '7' } };

const UNKNOWN_ACTION = {
  nl: 'Deze knop werkt niet meer.',
  en: 'This button no longer works.',
};

/** The sample dialog's first question and its first choice, in Dutch. */
const TOPIC_PROMPT = 'Over welk onderwerp gaat het?';
const TOPIC_CHOICE = 'Windmolens';
const VOICES_PROMPT = 'Wie hoor je al over dit onderwerp?';

export function chatAdapterContract(name: string, factory: ContractFactory): void {
  describe(`ChatAdapter contract: ${name}`, () => {
    let p: ContractPlatform;
    beforeEach(async () => {
      // Only Date is faked, and it runs on with real time: the stand-ins' sockets and the adapters' timers stay real,
      // while a test can jump a day ahead. Faked before the factory runs, so every clock the core and the adapter
      // take (`Date.now`) is this one.
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
      p = await factory();
    });
    afterEach(async () => {
      vi.useRealTimers();
      await p.close();
    });

    const since = (start: number) => p.received().slice(start);
    const containing = (records: PlatformRecord[], text: string) =>
      records.filter((r) => (r.op === 'send' || r.op === 'update') && r.text?.includes(text));

    it('send: a new message reaches the conversation and comes back with an id to change it later', async () => {
      const start = p.received().length;
      const sent = await p.adapter.send(p.channel, message('Contract: verzonden'));
      expect(sent.messageId).not.toBe('');
      expect(sent.conversation.platform).toBe(p.adapter.platform);
      expect(sent.conversation.conversationId).toBe(p.channel.conversationId);
      const records = since(start);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ op: 'send', conversationId: p.channel.conversationId });
      expect(records[0]?.text).toContain('Contract: verzonden');
    });

    it('update: the message is replaced (in place where the platform can)', async () => {
      const sent = await p.adapter.send(p.channel, message('Contract: eerste versie'));
      const start = p.received().length;
      await p.adapter.update(sent, message('Contract: tweede versie'));
      const records = since(start);
      expect(records).toHaveLength(1);
      expect(records[0]?.text).toContain('Contract: tweede versie');
      if (p.capabilities.update === 'in-place') {
        expect(records[0]).toMatchObject({ op: 'update', messageId: sent.messageId });
      } else {
        // The terminal cannot change what it printed: the new version is printed below the old one.
        expect(records[0]?.op).toBe('send');
      }
    });

    it('remove: deletes the message where the platform can, and says so', async () => {
      const sent = await p.adapter.send(p.channel, message('Contract: weg ermee'));
      const start = p.received().length;
      if (p.capabilities.remove === 'deletes') {
        expect(p.adapter.remove).toBeTypeOf('function');
        await expect(p.adapter.remove?.(sent)).resolves.toBe(true);
        expect(since(start)).toEqual([expect.objectContaining({ op: 'remove', messageId: sent.messageId })]);
      } else {
        // Nothing printed can be taken back: the adapter offers no remove, and the platform received nothing.
        expect(p.adapter.remove).toBeUndefined();
        expect(since(start)).toEqual([]);
      }
    });

    it('openDirect: gives the 1:1 chat with the person, and a message sent there reaches it', async () => {
      const start = p.received().length;
      const direct = await p.adapter.openDirect(p.user);
      expect(direct).toMatchObject({ platform: p.adapter.platform, isDirect: true });
      if (p.capabilities.openDirect === 'opens-a-chat') {
        expect(since(start)).toEqual([expect.objectContaining({ op: 'open' })]);
      } else {
        expect(since(start)).toEqual([]);
      }
      const sent = await p.adapter.send(direct, message('Contract: alleen voor jou'));
      const last = p.received().at(-1);
      expect(last).toMatchObject({ op: 'send', conversationId: direct.conversationId, messageId: sent.messageId });
    });

    it('deliver: a stored address is written to outside any turn, also a day later', async () => {
      const person = p.core.pseudonymize(p.user);
      const personAddress = await p.core.addresses.rememberPerson(person, p.user);
      const channelAddress = await p.core.addresses.rememberChannel(p.channel);
      vi.setSystemTime(Date.now() + 24 * 3_600_000);
      const start = p.received().length;
      const toChannel = await p.core.deliver(channelAddress, message('Contract: aan het kanaal'));
      const toPerson = await p.core.deliver(personAddress, message('Contract: aan de persoon'));
      const records = since(start);
      expect(containing(records, 'Contract: aan het kanaal')).toEqual([
        expect.objectContaining({
          op: 'send',
          conversationId: p.channel.conversationId,
          messageId: toChannel.messageId,
        }),
      ]);
      expect(containing(records, 'Contract: aan de persoon')).toEqual([
        expect.objectContaining({ op: 'send', messageId: toPerson.messageId }),
      ]);
      expect(toPerson.conversation.isDirect).toBe(true);
      // The 1:1 chat was looked up once and is remembered: a second delivery opens nothing new.
      const opened = records.filter((r) => r.op === 'open').length;
      expect(opened).toBe(p.capabilities.openDirect === 'opens-a-chat' ? 1 : 0);
      const again = p.received().length;
      await p.core.deliver(personAddress, message('Contract: nog een keer'));
      expect(since(again).map((r) => r.op)).toEqual(['send']);
    });

    it('deliver: an address marked unreachable fails at once with the typed final error, nothing is sent', async () => {
      const address = await p.core.addresses.rememberChannel(p.channel);
      await p.core.addresses.markUnreachable(address, Date.now());
      const start = p.received().length;
      const failure = p.core.deliver(address, message('Contract: komt niet aan'));
      await expect(failure).rejects.toBeInstanceOf(RecipientUnreachableError);
      expect(since(start)).toEqual([]);
    });

    for (const locale of ['nl', 'en'] as const) {
      it(`a button whose route is gone is answered once, in the person's language (${locale})`, async () => {
        if (locale === 'en') await p.say('language en');
        const direct = await p.adapter.openDirect(p.user);
        const sent = await p.adapter.send(
          direct,
          message('Contract: oude knop', [{ label: 'Oud', route: GONE_ROUTE }]),
        );
        const start = p.received().length;
        await p.click(sent.messageId, 'Oud');
        const records = since(start);
        expect(containing(records, UNKNOWN_ACTION[locale])).toHaveLength(1);
        expect(containing(records, UNKNOWN_ACTION[locale === 'nl' ? 'en' : 'nl'])).toHaveLength(0);
        // The message with the old button is left as it was.
        expect(records.filter((r) => r.messageId === sent.messageId)).toEqual([]);
      });
    }

    it('a double click has one effect: the question is answered once', async () => {
      await p.say('checkin');
      const card = [...p.received()].reverse().find((r) => r.op === 'send' && r.text?.includes(TOPIC_PROMPT));
      expect(card?.messageId).toBeDefined();
      const start = p.received().length;
      await p.click(card!.messageId!, TOPIC_CHOICE, 2);
      const person = p.core.pseudonymize(p.user);
      const state = (await p.core.store.getVersioned<DialogState>(dialogKey(person))).value;
      expect(state?.history.filter((step) => step === 'topic')).toEqual(['topic']);
      expect(state?.answers.topic).toBe('wind');
      const records = since(start);
      if (p.capabilities.repeatClick === 'same-control-twice') {
        // One next question, on the clicked card; the second click is told nothing changed.
        expect(containing(records, VOICES_PROMPT)).toHaveLength(1);
        expect(state?.stepId).toBe('voices');
        // "Deze knop hoort bij een eerdere vraag" or "Je antwoord was al binnen", whichever click lost.
        expect(containing(records, 'Er is niets veranderd')).toHaveLength(1);
      } else {
        // The terminal reads every line against the newest question: the second line answered that one.
        expect(state?.history).toEqual(['topic', 'voices']);
      }
    });

    it('a card of a check-in that expired meanwhile is answered once, and nothing is stored', async () => {
      await p.say('checkin');
      const card = [...p.received()].reverse().find((r) => r.op === 'send' && r.text?.includes(TOPIC_PROMPT));
      expect(card?.messageId).toBeDefined();
      // The sample dialog expires after 72 hours.
      vi.setSystemTime(Date.now() + 73 * 3_600_000);
      const start = p.received().length;
      await p.click(card!.messageId!, TOPIC_CHOICE);
      const records = since(start);
      const gone = records.filter(
        (r) => r.text?.includes('Deze check-in loopt niet meer') || r.text?.includes('Deze check-in is verlopen'),
      );
      expect(gone).toHaveLength(1);
      expect(records.filter((r) => r.text?.includes(VOICES_PROMPT))).toEqual([]);
      const person = p.core.pseudonymize(p.user);
      expect((await p.core.store.getVersioned<DialogState>(dialogKey(person))).value).toBeUndefined();
    });

    it('a 4xx answer surfaces as the typed final error and is not retried', async () => {
      if (p.capabilities.finalErrors === 'never-refused') {
        // A terminal write is never refused by anyone: the adapter has no way to fail a send with a 4xx.
        expect(p.refuseNext).toBeUndefined();
        await expect(p.adapter.send(p.channel, message('Contract: altijd'))).resolves.toBeDefined();
        return;
      }
      const refuse = p.refuseNext!;
      // A blocked recipient: RecipientUnreachableError, tried once; deliver marks the address, so the next
      // delivery fails at once without asking the platform.
      const address = await p.core.addresses.rememberChannel(p.channel);
      refuse('blocked');
      let start = p.received().length;
      const blocked = await p.core.deliver(address, message('Contract: geblokkeerd')).catch((e: unknown) => e);
      expect(blocked).toBeInstanceOf(RecipientUnreachableError);
      expect((blocked as RecipientUnreachableError).reason).toBe('blocked');
      expect(since(start).filter((r) => r.op === 'send')).toHaveLength(1);
      start = p.received().length;
      await expect(p.core.deliver(address, message('Contract: nog steeds'))).rejects.toBeInstanceOf(
        RecipientUnreachableError,
      );
      expect(since(start)).toEqual([]);
      // Any other 4xx: an AdapterError that is final (neither unreachable nor rate-limited), tried once.
      refuse('bad-request');
      start = p.received().length;
      const bad = await p.adapter.send(p.channel, message('Contract: fout verzoek')).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(AdapterError);
      expect(bad).not.toBeInstanceOf(RecipientUnreachableError);
      expect(bad).not.toBeInstanceOf(RateLimitedError);
      expect((bad as AdapterError).code).toBe('ADAPTER_FAILED');
      expect(since(start).filter((r) => r.op === 'send')).toHaveLength(1);
      // The platform works again: the next send goes through.
      await expect(p.adapter.send(p.channel, message('Contract: weer goed'))).resolves.toBeDefined();
    });
  });
}
