/**
 * The ChatAdapter contract for the terminal: the stand-in of its platform is the pair of streams it reads and
 * prints to. A terminal cannot change or take back what it printed, opens no chats and is never refused.
 */
import { PassThrough, Writable } from 'node:stream';
import { createConsoleAdapter } from '../../adapters/console/index.js';
import type { AdapterHost } from '../../src/message/adapter.js';
import type { UserRef } from '../../src/message/types.js';
import { makeBot } from '../support/make-bot.js';
import { chatAdapterContract, type PlatformRecord } from './chat-adapter.contract.js';

const USER: UserRef = { platform: 'console', tenantId: 'local', userId: 'terminal' };

chatAdapterContract('console', async () => {
  const core = await makeBot({ features: 'sample' });
  const records: PlatformRecord[] = [];
  const input = new PassThrough();
  let conversationId = '';
  // Every message is printed with one write; the adapter numbers them from 1 as it prints.
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push({ op: 'send', conversationId, messageId: String(records.length + 1), text: chunk.toString('utf8') });
      done();
    },
  });
  const adapter = createConsoleAdapter({ input, output, translate: core.translator.t, defaultLocale: 'nl' });
  core.registry.register(adapter);
  const host = core.hostFor('console');
  let handled = 0;
  const counting: AdapterHost = {
    ...host,
    receive: async (event, io) => {
      try {
        return await host.receive(event, io);
      } finally {
        handled += 1;
      }
    },
  };
  const channel = await adapter.openDirect(USER);
  conversationId = channel.conversationId;
  await adapter.start(counting);

  const waitHandled = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (handled < count) {
      if (Date.now() > deadline) throw new Error('the terminal did not handle the line');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const type = async (line: string) => {
    const target = handled + 1;
    input.write(`${line}\n`);
    await waitHandled(target);
  };

  return {
    adapter,
    core,
    capabilities: {
      update: 'as-new-message',
      remove: 'not-supported',
      openDirect: 'the-one-conversation',
      finalErrors: 'never-refused',
      repeatClick: 'newest-question-only',
    },
    user: USER,
    channel,
    received: () => records,
    say: type,
    async click(messageId, label, times = 1) {
      const shown = records.find((r) => r.messageId === messageId)?.text ?? '';
      const number = new RegExp(`^ {2}(\\d+)\\. ${label}$`, 'm').exec(shown)?.[1];
      if (!number) throw new Error(`no choice "${label}" in message ${messageId}`);
      // A person picks by typing the number; typing it again reads it against whatever is shown then.
      for (let i = 0; i < times; i += 1) await type(number);
    },
    async close() {
      input.end();
      await adapter.stop();
      await core.pipeline.drain();
      await core.store.close();
    },
  };
});
