/**
 * The life of a nudge in the store and the queue: saving it (its one job at the next moment), stopping it, one
 * moment firing (a broadcast unless paused, then the next moment planned with compare-and-set, so a job run twice
 * plans once), and the broadcast kind that says who receives it and what they read.
 */
import { button, commandRoute, routeTo } from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { loadPrefs } from '../../core/prefs.js';
import type { BroadcastKind } from '../../delivery/types.js';
import { updateWithRetry } from '../../store/update-with-retry.js';
import { SUBSCRIPTIONS_FEATURE, subscriberPage } from '../subscriptions/store.js';
import { fireJobId, NUDGE_JOB, NUDGE_KIND, NUDGES_FEATURE, type Nudge, nextAfter, nudgeKeys } from './model.js';

export function createNudgeScheduler(deps: FeatureDeps) {
  const { store, config, queue, now } = deps;
  const get = async (id: string) => (await store.getVersioned<Nudge>(nudgeKeys.nudge(id))).value;

  async function save(nudge: Nudge, owner?: string): Promise<void> {
    const key = nudgeKeys.nudge(nudge.id);
    if (owner) await store.track(owner, key);
    const previous = await get(nudge.id);
    await updateWithRetry<Nudge>(store, key, () => nudge);
    await store.indexAdd(nudgeKeys.all, nudge.id, nudge.next);
    if (previous && previous.next !== nudge.next) await queue.remove(fireJobId(nudge.id, previous.next));
    await queue.add({
      name: NUDGE_JOB,
      id: fireJobId(nudge.id, nudge.next),
      data: { n: nudge.id, at: nudge.next },
      runAt: nudge.next,
    });
  }

  async function remove(id: string): Promise<boolean> {
    const current = await get(id);
    if (!current) return false;
    await queue.remove(fireJobId(id, current.next));
    await store.delete(nudgeKeys.nudge(id));
    await store.indexRemove(nudgeKeys.all, id);
    return true;
  }

  /** One moment of a nudge: send it (unless paused), then plan the next. */
  async function fire(data: { n: string; at: number }): Promise<void> {
    const nudge = await get(data.n);
    if (!nudge || nudge.next !== data.at) return; // changed or stopped since
    if ((nudge.snoozedUntil ?? 0) <= now()) {
      const id = `${nudge.id}.${nudge.next}`;
      if (!(await deps.broadcasts.get(id)))
        await deps.broadcasts.create({
          id,
          kind: NUDGE_KIND,
          sendAt: now(),
          createdBy: 'nudges',
          locale: nudge.locale,
        });
    }
    const next = nextAfter(nudge, now());
    const stored = await updateWithRetry<Nudge>(store, nudgeKeys.nudge(nudge.id), (c) =>
      c && c.next === data.at ? { ...c, next } : c,
    );
    if (stored?.next !== next) return;
    await store.indexAdd(nudgeKeys.all, nudge.id, next);
    await queue.add({ name: NUDGE_JOB, id: fireJobId(nudge.id, next), data: { n: nudge.id, at: next }, runAt: next });
  }

  const kind: BroadcastKind = {
    async audience(broadcast, cursor) {
      const nudge = await get(broadcast.id.split('.')[0] ?? '');
      if (!nudge) return { recipients: [] };
      if (nudge.target.kind !== 'topic') return { recipients: [{ address: nudge.target.address, label: 'nudge' }] };
      const { topic, platform, tenant } = nudge.target;
      return subscriberPage(store, { topic, platform, tenant }, cursor, now());
    },
    async message(broadcast, recipient) {
      const nudge = await get(broadcast.id.split('.')[0] ?? '');
      const person = recipient.address.kind === 'person' ? recipient.address.person : undefined;
      const locale = (person && (await loadPrefs(store, person))?.locale) || nudge?.locale || config.defaultLocale;
      const t = deps.translate(locale);
      const text = t('nudges.message.text');
      const buttons = [button(t('nudges.message.start'), commandRoute('checkin'), 'primary')];
      if (nudge?.target.kind === 'person') {
        buttons.push(button(t('nudges.message.pause'), routeTo(NUDGES_FEATURE, 'snooze', { d: '28' })));
        buttons.push(button(t('nudges.message.stop'), routeTo(NUDGES_FEATURE, 'stop')));
      } else if (nudge?.target.kind === 'topic' && person) {
        buttons.push(button(t('announcements.message.snooze'), commandRoute('snooze')));
        buttons.push(
          button(
            t('announcements.message.unsubscribe'),
            routeTo(SUBSCRIPTIONS_FEATURE, 'toggle', { t: nudge.target.topic, on: '0' }),
          ),
        );
      }
      return {
        text,
        blocks: [
          { type: 'text', text },
          { type: 'buttons', buttons },
        ],
        locale,
      };
    },
  };

  return { get, save, remove, fire, kind };
}
