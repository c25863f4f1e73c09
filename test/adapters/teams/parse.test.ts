import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActivityShape } from '../../../adapters/teams/activity-shape.js';
import {
  actionPayloadOf,
  conversationRefOf,
  lifecycleOf,
  stripBotMention,
  outboundAddress,
  toInboundEvent,
} from '../../../adapters/teams/parse.js';
import { activities, BOT_ID } from './support/harness.js';

const URL = 'https://smba.example.test/emea/';

describe('toInboundEvent', () => {
  it('ignores activities the core has nothing to do with', () => {
    expect(toInboundEvent({ ...activities.personal(URL, ''), type: 'typing' })).toBeUndefined();
    expect(toInboundEvent(activities.personal(URL, '   '))).toBeUndefined();
    expect(toInboundEvent({ ...activities.installation(URL), action: 'add-upgrade' })).toBeUndefined();
  });

  it('a submit without our data is not an action', () => {
    expect(toInboundEvent(activities.submit(URL, { something: 'else' }))).toBeUndefined();
  });

  it('membersAdded with the bot is an install; with someone else it is not', () => {
    expect(lifecycleOf(activities.membersAdded(URL))).toBe('install');
    expect(
      lifecycleOf({ ...activities.membersAdded(URL), membersAdded: [{ id: '29:other', name: '' }] }),
    ).toBeUndefined();
    expect(
      lifecycleOf({ ...activities.membersAdded(URL), membersAdded: [], membersRemoved: [{ id: BOT_ID, name: '' }] }),
    ).toBe('uninstall');
  });
});

describe('mentions', () => {
  it('keeps the line breaks a person typed', () => {
    expect(stripBotMention(activities.personal(URL, 'eerste regel\ntweede regel '))).toEqual({
      text: 'eerste regel\ntweede regel',
      isMention: false,
    });
    expect(stripBotMention({ ...activities.channelMention(URL, ''), text: '<at>Bubbelbreker</at>  a\nb' }).text).toBe(
      'a\nb',
    );
  });
  it('removes the bot mention and reports it', () => {
    expect(stripBotMention(activities.channelMention(URL, 'checkin'))).toEqual({ text: 'checkin', isMention: true });
  });
  it('a mention of someone else is not a mention of the bot', () => {
    const a = {
      ...activities.channelMention(URL, ''),
      text: '<at>Piet</at> hoi',
      entities: [{ type: 'mention', text: '<at>Piet</at>', mentioned: { id: '29:piet' } }],
    };
    expect(stripBotMention(a)).toEqual({ text: 'hoi', isMention: false });
  });
});

describe('card data', () => {
  it('rejects tampered or foreign data', () => {
    for (const data of [
      undefined,
      null,
      'x',
      {},
      { bb: {} },
      { bb: { dialogId: 'd', stepId: 's', turn: -1 } },
      { bb: { dialogId: 'd', stepId: 's', turn: 1.5 } },
      { bb: { dialogId: 'x'.repeat(500), stepId: 's', turn: 1 } },
    ])
      expect(actionPayloadOf(data)).toBeUndefined();
  });
  it('never throws on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => void actionPayloadOf(value)));
  });
});

describe('references', () => {
  it('a neutral ref round-trips into the address of an outbound activity', () => {
    const ref = conversationRefOf(activities.personal(URL, 'x'));
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
    expect(outboundAddress(ref)).toEqual({
      serviceUrl: URL,
      channelId: 'msteams',
      from: { id: BOT_ID, name: 'Bubbelbreker' },
      recipient: { id: '29:user-1' },
      conversation: { id: 'a:personal-1', tenantId: 'tenant-1', conversationType: 'personal', isGroup: false },
    });
  });
  it('a ref without serviceUrl or bot cannot be addressed', () => {
    expect(() =>
      outboundAddress({ platform: 'teams', tenantId: 't', conversationId: 'c', isDirect: true, extra: {} }),
    ).toThrow(/serviceUrl/);
  });
});

describe('ActivityShape', () => {
  it('names the missing field without echoing values', () => {
    const result = ActivityShape.safeParse({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: 'javascript:alert(1)',
      from: { id: 'u' },
      recipient: { id: 'b' },
      conversation: { id: 'c' },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('serviceUrl must be an http(s) URL');
  });
});
