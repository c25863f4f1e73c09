/**
 * The audience of an announcement as pages of recipients, for the broadcaster's resumable "prepare" step. The
 * cursor is `<part>:<inner cursor>`: the Slack channels named, the Teams channels named, every channel of the
 * organiser's workspace or tenant, then the subscribers.
 */
import type { Recipient } from '../../delivery/ledger.js';
import type { AddressBook } from '../../outbound/address-book.js';
import type { KeyValueStore } from '../../store/store.js';
import { subscriberPage } from '../subscriptions/store.js';
import type { Announcement } from './model.js';

const PARTS = ['slack', 'teams', 'all', 'subscribers'] as const;

/** A Slack channel as named: `C…` or `T…/C…`. */
export function parseSlackChannel(value: string): { team: string; channel: string } {
  const [first, second] = value.split('/');
  return second ? { team: first ?? '', channel: second } : { team: '', channel: first ?? '' };
}

export async function audiencePage(
  deps: { store: KeyValueStore; addresses: AddressBook; now: () => number },
  announcement: Announcement,
  cursor: string | undefined,
): Promise<{ recipients: Recipient[]; next?: string }> {
  const [partText, ...rest] = (cursor ?? '0:').split(':');
  const part = Number(partText);
  const inner = rest.join(':') || undefined;
  const { audience } = announcement;
  const next = (innerNext?: string) =>
    innerNext !== undefined ? `${part}:${innerNext}` : part + 1 < PARTS.length ? `${part + 1}:` : undefined;
  const page = (recipients: Recipient[], innerNext?: string) => {
    const after = next(innerNext);
    return { recipients, ...(after ? { next: after } : {}) };
  };

  switch (PARTS[part]) {
    case 'slack': {
      const recipients: Recipient[] = [];
      for (const [i, named] of (audience.slackChannels ?? []).entries()) {
        const { team, channel } = parseSlackChannel(named);
        const address = deps.addresses.channelAddress('slack', channel);
        // The app may post in a public channel it was not invited to (chat:write.public): remember it to reach it.
        if (!(await deps.addresses.lookup(address)).ok)
          await deps.addresses.rememberChannel({
            platform: 'slack',
            tenantId: team,
            conversationId: channel,
            isDirect: false,
          });
        recipients.push({ address, label: `slack:${i}` });
      }
      return page(recipients);
    }
    case 'teams': {
      // Only channels the app is installed in can be reached; an unknown one is reported for itself.
      const recipients = (audience.teamsChannels ?? []).map((id, i) => ({
        address: deps.addresses.channelAddress('teams', id),
        label: `teams:${i}`,
      }));
      return page(recipients);
    }
    case 'all': {
      const scope = announcement.scope;
      if (!audience.allChannels || !scope) return page([]);
      const found = await deps.addresses.channels(scope.platform, scope.tenantId, inner);
      return page(
        found.addresses.map((address) => ({ address, label: 'all' })),
        found.next,
      );
    }
    case 'subscribers': {
      const wanted = audience.subscribers;
      if (!wanted) return page([]);
      const platform = wanted.platform && wanted.platform !== 'all' ? wanted.platform : announcement.scope?.platform;
      const found = await subscriberPage(
        deps.store,
        {
          ...(platform ? { platform } : {}),
          ...(announcement.scope ? { tenant: announcement.scope.tenant } : {}),
          ...(wanted.topic ? { topic: wanted.topic } : {}),
        },
        inner,
        deps.now(),
      );
      return page(found.recipients, found.next);
    }
    default:
      return { recipients: [] };
  }
}
