/**
 * The session form in the chat (a Slack modal, an Adaptive Card, terminal prompts), for a new session and for
 * changing one. Times are read in the organiser's time zone. A refused submission comes back with the reason and
 * everything typed, so nothing is lost.
 */
import { commandRoute, routeTo, type TurnContext } from '../../core/context.js';
import { fieldText } from '../../core/forms.js';
import type { Block, FormField } from '../../message/types.js';
import { parseWhen } from '../announcements/compose.js';
import { SESSIONS_FEATURE } from './keys.js';
import { MAX_PLACE, MAX_TITLE, type Session, type SessionInput } from './model.js';

export type Fields = Record<string, string | string[]>;
const NO_MODULE = '-';

/** A stored moment as a wall-clock time for the form (`2026-12-01 14:00`). */
export function wallClock(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** The form's values for an existing session. */
export function fieldsOf(session: Session, timeZone: string): Fields {
  return {
    title: session.title,
    module: session.module ?? NO_MODULE,
    startsAt: wallClock(session.startsAt, timeZone),
    durationMinutes: String(session.durationMinutes),
    place: session.place ?? '',
    url: session.url ?? '',
    seats: String(session.seats),
    registrationDeadline: wallClock(session.registrationDeadline, timeZone),
  };
}

/**
 * Read a submission into input for checkSession; a field that cannot be read is refused here (the text key and the
 * field). Unchanged fields of an existing session are left out, so a past start can keep its place.
 */
export function readForm(
  fields: Fields,
  timeZone: string,
  current?: Fields,
): { input: SessionInput } | { error: { field: string; reason: string } } {
  const value = (id: string) => fieldText({ fields }, id);
  const changed = (id: string) => !current || value(id) !== (current[id] ?? '');
  const input: SessionInput = {};
  if (changed('title') || !current) input.title = value('title');
  const module = value('module');
  if (changed('module')) input.module = module === NO_MODULE ? '' : module;
  for (const id of ['startsAt', 'registrationDeadline'] as const) {
    if (!changed(id)) continue;
    const at = parseWhen(value(id), timeZone);
    if (at === 'invalid') return { error: { field: id, reason: 'badTime' } };
    if (at !== undefined) input[id] = at;
  }
  for (const id of ['seats', 'durationMinutes'] as const) {
    const text = value(id);
    if (text === '' || !changed(id)) continue;
    if (!/^\d{1,4}$/.test(text)) return { error: { field: id, reason: id === 'seats' ? 'seats' : 'duration' } };
    input[id] = Number(text);
  }
  if (changed('place')) input.place = value('place');
  if (changed('url')) input.url = value('url');
  return { input };
}

/** The form, filled with what was typed (or the session), with the reason it was refused when it was. */
export function sessionForm(
  ctx: TurnContext,
  values: Fields,
  modules: { id: string; title: string }[],
  options: { id?: string; error?: string },
): Block {
  const zone = ctx.event.timeZone ?? ctx.config.timeZone;
  const value = (id: string) => (values[id] !== undefined ? { value: values[id] } : {});
  const text = (id: string, maxLength: number, extra: Partial<FormField> = {}): FormField => ({
    id,
    label: ctx.t(`sessions.form.${id}`),
    kind: 'text',
    maxLength,
    ...value(id),
    ...extra,
  });
  const fields: FormField[] = [
    text('title', MAX_TITLE, { required: true }),
    {
      id: 'module',
      label: ctx.t('sessions.form.module'),
      kind: 'choice',
      choices: [
        { id: NO_MODULE, label: ctx.t('sessions.form.noModule') },
        ...modules.map((m) => ({ ...m, label: m.title })),
      ],
      value: values.module ?? NO_MODULE,
    },
    {
      id: 'startsAt',
      label: ctx.t('sessions.form.startsAt'),
      kind: 'datetime',
      required: true,
      hint: ctx.t('sessions.form.timeHint', { zone }),
      ...value('startsAt'),
    },
    text('durationMinutes', 4, { hint: ctx.t('sessions.form.durationHint') }),
    text('place', MAX_PLACE),
    text('url', 500),
    text('seats', 4, { hint: ctx.t('sessions.form.seatsHint') }),
    {
      id: 'registrationDeadline',
      label: ctx.t('sessions.form.registrationDeadline'),
      kind: 'datetime',
      hint: ctx.t('sessions.form.deadlineHint'),
      ...value('registrationDeadline'),
    },
  ];
  return {
    type: 'form',
    title: ctx.t(options.id ? 'sessions.form.editHeading' : 'sessions.form.heading'),
    fields,
    submitLabel: ctx.t('sessions.form.save'),
    route: routeTo(SESSIONS_FEATURE, 'save', options.id ? { s: options.id } : {}),
    openRoute: options.id ? routeTo(SESSIONS_FEATURE, 'edit', { s: options.id }) : commandRoute('newSession'),
    ...(options.error ? { error: options.error } : {}),
  };
}
