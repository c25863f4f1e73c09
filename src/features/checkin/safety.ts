/**
 * The escalation route shown instead of a result when a check-in reports threats, intimidation, doxing, damage
 * or violence: coaching stops, the person is pointed to help. Only "route shown" is counted, without the person.
 */
import type { Config } from '../../config.js';
import type { Block, OutboundMessage } from '../../message/types.js';
import { SOURCES } from './model.js';
import { button } from '../../core/context.js';
import { checkinRoutes } from './routes.js';
import { message, type RenderContext } from './text.js';

export interface SafetyRouteOptions {
  /** The municipality's own contact (ESCALATION_CONTACT_NAME / _PHONE / _URL). */
  escalation: Config['escalation'];
  /** The catalogue module about escalation and safety, offered as a button when given. */
  moduleId?: string;
  /** Personal details were posted online (doxing): add the concrete steps for that. */
  doxxing?: boolean;
}

/** The route: danger (112), police, the mayor (public order and safety), support for officials, the local contact. */
export function buildSafetyRoute(rc: RenderContext, options: SafetyRouteOptions): OutboundMessage {
  const { t } = rc;
  const { name, phone, url } = options.escalation;
  const blocks: Block[] = [
    { type: 'heading', text: t('safety.title') },
    { type: 'text', text: t('safety.intro'), tone: 'warning' },
    { type: 'text', text: t('safety.danger') },
    { type: 'text', text: t('safety.police') },
    { type: 'text', text: t('safety.mayor') },
    { type: 'text', text: t('safety.officials') },
  ];
  // Doxing (a crime since 2024, SOURCES.doxxing): take it down and report it, tell the municipality, and ask for
  // geheimhouding of personal data in the BRP (SOURCES.brpSecrecy).
  if (options.doxxing) {
    blocks.push({ type: 'heading', text: t('safety.doxxing.title') });
    blocks.push({ type: 'text', text: t('safety.doxxing.report'), tone: 'warning' });
    blocks.push({ type: 'text', text: t('safety.doxxing.contact') });
    blocks.push({ type: 'text', text: t('safety.doxxing.brp') });
  }

  if (name || phone || url) {
    blocks.push({ type: 'text', text: t('safety.local.intro') });
    const facts: { label: string; value: string }[] = [];
    if (name) facts.push({ label: t('safety.local.name'), value: name });
    if (phone) facts.push({ label: t('safety.local.phone'), value: phone });
    if (url) facts.push({ label: t('safety.local.url'), value: url });
    blocks.push({ type: 'facts', facts });
  } else {
    blocks.push({ type: 'text', text: t('safety.local.missing'), tone: 'muted' });
  }

  const links: { label: string; url: string }[] = [
    { label: t('safety.links.weerbaarBestuur'), url: SOURCES.weerbaarBestuur },
  ];
  if (options.doxxing) links.push({ label: t('safety.links.doxxing'), url: SOURCES.doxxing });
  if (url) links.unshift({ label: name ?? t('safety.local.url'), url });
  blocks.push({ type: 'links', links });
  blocks.push({ type: 'text', text: t('safety.notStored'), tone: 'muted' });
  if (options.moduleId) {
    blocks.push({
      type: 'buttons',
      buttons: [button(t('safety.buttons.module'), checkinRoutes.module(options.moduleId))],
    });
  }
  return message(blocks);
}
