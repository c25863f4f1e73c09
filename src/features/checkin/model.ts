/**
 * The vocabulary of the check-in: the choice ids of dialogs/checkin.yaml that the diagnosis reads, the
 * diagnosis types, and the public sources of the models (URLs only; all text lives in the locale files).
 */
import type { MessageVars } from '../../message/types.js';

export const TRACKS = ['conflict', 'polarisation', 'both', 'unclear'] as const;
export type Track = (typeof TRACKS)[number];

/** Glasl's three phases: stages 1-3, 4-6, 7-9. */
export const PHASES = ['win-win', 'win-lose', 'lose-lose'] as const;
export type GlaslPhase = (typeof PHASES)[number];

export const CERTAINTIES = ['high', 'medium', 'low'] as const;
export type Certainty = (typeof CERTAINTIES)[number];

/** Brandsma's five roles (choice ids of the `roles` step). */
export const ROLES = ['pushers', 'joiners', 'silentMiddle', 'bridgeBuilder', 'scapegoat'] as const;
export type RoleId = (typeof ROLES)[number];

/** Where the person stands, from the `me…` choices of the `roles` step. */
export const POSITIONS = ['side', 'middle', 'above', 'unknown'] as const;
export type Position = (typeof POSITIONS)[number];

/** Brandsma's four game changers (choice ids of the `gameChangers` step). */
export const GAME_CHANGERS = ['target', 'subject', 'position', 'tone'] as const;
export type GameChangerId = (typeof GAME_CHANGERS)[number];

export const VOICES = [
  'silentMiddle',
  'youth',
  'practical',
  'newcomers',
  'distrust',
  'neighbours',
  'entrepreneurs',
] as const;
export type VoiceId = (typeof VOICES)[number];

export const CHANNELS = ['meeting', 'online', 'street', 'keyFigures'] as const;
export type ChannelId = (typeof CHANNELS)[number];

export const PERSON_ROLES = ['bestuurder', 'ambtenaar', 'raadslid', 'other', 'unknown'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Yes/no findings the module rules can test with `{ flag: … }`. */
export const FLAGS = [
  'safety',
  'safetyUnsure',
  'bridgeBuilder',
  'participationMismatch',
  'participationUnclear',
  'residentsNotInvolved',
  'scapegoat',
] as const;
export type Flag = (typeof FLAGS)[number];

/** Glasl stage signalled by each choice of the `signals` step (domain.md §3). */
export const SIGNAL_STAGE: Readonly<Record<string, number>> = {
  talking: 1,
  debating: 2,
  unilateral: 3,
  images: 4,
  integrity: 5,
  ultimatums: 6,
};

/** The lowest stage a reported safety incident implies: threats (6, strategies of threats), damage (7). */
export const SAFETY_STAGE: Readonly<Record<string, number>> = { threats: 6, damage: 7 };

/** Which part of the result a reason explains. */
export type Finding =
  | 'track'
  | 'glasl'
  | 'certainty'
  | 'roles'
  | 'bridgeBuilder'
  | 'missingVoices'
  | 'participation'
  | 'gameChangers'
  | 'safety';

/** Choice ids of one dialog step, rendered by the result as their translated labels (`{choices}`). */
export interface ChoiceRef {
  step: string;
  ids: string[];
}

/** A text to show: a locale key, its variables (never user text) and choice labels to fill in as `{choices}`. */
export interface TextRef {
  key: string;
  vars?: MessageVars;
  choices?: ChoiceRef;
}

/** One "waarom" line of a finding. */
export interface Reason extends TextRef {
  finding: Finding;
}

export interface GlaslEstimate {
  phase: GlaslPhase;
  /** The most likely stage: the highest one signalled. */
  stage: number;
  /** Likely stage range, 1-9, from <= to. */
  from: number;
  to: number;
}

/** What the check-in answers suggest. Pure data: no text, storable as JSON. */
export interface Diagnosis {
  track: Track;
  personRole: PersonRole;
  /** Null when no escalation signal was given (pure polarisation, or "weet niet"). */
  glasl: GlaslEstimate | null;
  certainty: Certainty;
  roles: RoleId[];
  position: Position;
  missingVoices: VoiceId[];
  channels: ChannelId[];
  /** Game changers not (known to be) used; empty when the question did not apply. */
  gameChangersMissing: GameChangerId[];
  flags: Record<Flag, boolean>;
  reasons: Reason[];
}

/** Public sources of the models named in the result and the explainers (domain.md). */
export const SOURCES = {
  glasl: 'https://link.springer.com/chapter/10.1007/978-94-017-1132-6_6',
  glaslSignals: 'https://www.perspectus.se/tjordan/Escalationtable.html',
  glaslPhases: 'https://henk50.wordpress.com/tag/escalatieladder/',
  glaslInterventions: 'http://c2r-mediation.org/Schwerpunkt/Strategiemodelle/strategiemodelle.html',
  brandsmaLaws: 'https://insidepolarisation.nl/wij-zij-denken/',
  brandsmaRoles: {
    nl: 'https://www.polarisatie.nl/nl-home/wat-is-polarisatie/rollen/',
    en: 'https://www.polarisatie.nl/eng-home/what-is-polarisation/roles/',
  },
  brandsmaGameChangers: 'https://www.polarisatie.nl/eng-home/what-is-polarisation/game-changers/',
  participationLadder:
    'https://www.movisie.nl/artikel/participatieladder-ordent-praktijkvoorbeelden-clientenparticipatie',
  /** Netwerk Weerbaar Bestuur (BZK and the associations of mayors, aldermen and councillors). */
  weerbaarBestuur: 'https://weerbaarbestuur.nl/',
} as const;
