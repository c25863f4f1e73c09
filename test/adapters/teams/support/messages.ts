import type { OutboundMessage, Route } from '../../../../src/core/index.js';

const a = (stepId: string, turn = 3): Route => ({
  feature: 'dialog',
  verb: 'answer',
  data: { d: 'dailyCheckIn', s: stepId, t: String(turn) },
});

/** One message of every shape the core can send, for render and card-validation tests. */
export const SAMPLE_MESSAGES: Record<string, OutboundMessage> = {
  welcome: {
    text: 'Hallo! Ik ben Bubbelbreker.',
    blocks: [
      { type: 'text', text: 'Hallo! Ik ben Bubbelbreker.\nWat je invult blijft privé.' },
      {
        type: 'buttons',
        buttons: [
          { label: 'Check-in starten', route: { feature: 'menu', verb: 'checkin' }, style: 'primary' },
          { label: 'Help', route: { feature: 'menu', verb: 'help' } },
        ],
      },
    ],
  },
  single: {
    text: 'Vraag 3 van 7: Hoe ver is het conflict?',
    blocks: [
      { type: 'progress', current: 3, total: 7, label: 'Vraag 3 van 7' },
      { type: 'heading', text: 'Hoe ver is het conflict?' },
      {
        type: 'single',
        label: 'Kies wat het best past',
        choices: [
          { id: 'talk', label: 'We praten nog met elkaar, ook als het schuurt' },
          { id: 'camps', label: 'Er zijn kampen: wij tegen zij', description: 'Mensen spreken over "die anderen"' },
          { id: 'threats', label: 'Er zijn dreigementen' },
          { id: 'a4', label: 'Vier' },
          { id: 'a5', label: 'Vijf' },
          { id: 'a6', label: 'Zes' },
          { id: 'a7', label: 'Zeven' },
        ],
        route: a('glasl'),
      },
    ],
  },
  multi: {
    text: 'Wie ontbreken er?',
    blocks: [
      { type: 'progress', current: 4, total: 7, label: 'Vraag 4 van 7' },
      {
        type: 'multi',
        label: 'Welke stemmen hoor je niet? Kies er een of meer.',
        choices: [
          { id: 'youth', label: 'Jongeren' },
          { id: 'farmers', label: 'Boeren' },
          { id: 'newcomers', label: 'Nieuwkomers' },
        ],
        selected: ['youth'],
        submitLabel: 'Versturen',
        route: a('voices', 4),
      },
    ],
  },
  scale: {
    text: 'Hoe veilig voel je je?',
    blocks: [
      {
        type: 'scale',
        label: 'Hoe veilig voel je je?',
        min: 1,
        max: 5,
        minLabel: 'Niet veilig',
        maxLabel: 'Heel veilig',
        route: a('safety', 5),
      },
    ],
  },
  wideScale: {
    text: 'Cijfer',
    blocks: [
      {
        type: 'scale',
        label: 'Welk cijfer?',
        min: 0,
        max: 10,
        minLabel: 'Slecht',
        maxLabel: 'Goed',
        route: a('grade', 6),
      },
    ],
  },
  optionalInput: {
    text: 'Wil je nog iets kwijt?',
    blocks: [
      {
        type: 'input',
        label: 'Je notitie (niet verplicht)',
        placeholder: 'Typ hier',
        maxLength: 500,
        submitLabel: 'Versturen',
        skipLabel: 'Overslaan',
        route: a('note', 7),
      },
    ],
  },
  requiredInput: {
    text: 'Welk dossier?',
    blocks: [
      {
        type: 'input',
        label: 'Naam van het dossier',
        maxLength: 80,
        submitLabel: 'Versturen',
        route: a('dossier', 1),
      },
    ],
  },
  result: {
    text: 'Je resultaat',
    blocks: [
      { type: 'heading', text: 'Je resultaat' },
      { type: 'text', text: 'Dit lijkt op polarisatie: wij tegen zij.' },
      {
        type: 'facts',
        facts: [
          { label: 'Glasl-fase', value: '3 (acties in plaats van woorden)' },
          { label: 'Rollen', value: 'Pusher, Joiner' },
        ],
      },
      { type: 'divider' },
      { type: 'text', text: 'Modules die passen:', tone: 'muted' },
      { type: 'links', links: [{ label: 'Module 2: Rollen herkennen', url: 'https://example.org/modules/2' }] },
      {
        type: 'buttons',
        buttons: [{ label: 'Meer over module 2', route: { feature: 'checkin', verb: 'module', data: { id: 'm2' } } }],
      },
    ],
  },
  safety: {
    text: 'Let op: bij bedreiging bel je 112.',
    blocks: [
      { type: 'text', tone: 'warning', text: 'Let op: bij bedreiging of geweld bel je 112.' },
      { type: 'text', text: 'Vertrouwenspersoon: 010 123 45 67' },
    ],
  },
  plain: { text: 'Dank je wel!', blocks: [{ type: 'text', text: 'Dank je wel!' }] },
  empty: { text: 'Alleen tekst', blocks: [] },
};
