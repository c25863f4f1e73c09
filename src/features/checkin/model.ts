/**
 * The vocabulary of the check-in: the choice ids of dialogs/checkin.yaml that the diagnosis reads, the
 * diagnosis types, the Glasl intervention table, and the public sources of the models (URLs only; all text
 * lives in the locale files). docs/method.md explains every rule for trainers.
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

/** Where the person stands: the `me…` choices of the `position` step (conflict) or the `roles` step (others). */
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

/** The rungs of the participatieladder (Edelenbos), low to high: choice ids of `participation` and `delivered`. */
export const RUNGS = ['inform', 'consult', 'advise', 'coproduce', 'codecide'] as const;
export type Rung = (typeof RUNGS)[number];

/** Yes/no findings the module rules can test with `{ flag: … }`. */
export const FLAGS = [
  'safety',
  'safetyUnsure',
  'doxxing',
  'bridgeBuilder',
  'participationMismatch',
  'participationUnclear',
  'residentsNotInvolved',
  'internal',
  'scapegoat',
  'vertical',
  'mostlyUnknown',
] as const;
export type Flag = (typeof FLAGS)[number];

/**
 * Glasl stage signalled by each choice of the `signals` step (stage signals paraphrased from the summary checked
 * by Glasl, SOURCES.glaslSignals; "avoiding" and "unilateral" are the stage-3 signals people recognise, after
 * the Glasl warning-sign checklists, SOURCES.glaslWarningSigns). `vertical` has no stage: it is a kind of
 * polarisation (SOURCES.kinds).
 */
export const SIGNAL_STAGE: Readonly<Record<string, number>> = {
  talking: 1,
  debating: 2,
  avoiding: 3,
  unilateral: 3,
  images: 4,
  integrity: 5,
  ultimatums: 6,
};

/** The lowest stage a reported safety incident implies: threats and doxing (6, strategies of threats), damage (7). */
export const SAFETY_STAGE: Readonly<Record<string, number>> = { threats: 6, doxxing: 6, damage: 7 };

/** Safety answers that end the check-in with the escalation route. */
export const SAFETY_INCIDENTS = ['threats', 'doxxing', 'damage'] as const;

/**
 * Glasl's third-party interventions and the stages each fits, the ONE table the result and the explainers are
 * written from (Glasl 1982, SOURCES.glasl; the stage bands as summarised at SOURCES.glaslInterventions).
 * Text keys: `result.intervention.<id>`.
 */
export const INTERVENTIONS = [
  { id: 'moderation', from: 1, to: 3 },
  { id: 'processGuidance', from: 3, to: 5 },
  { id: 'therapeutic', from: 4, to: 6 },
  { id: 'mediation', from: 5, to: 7 },
  { id: 'arbitration', from: 6, to: 8 },
  { id: 'powerIntervention', from: 7, to: 9 },
] as const;
export type InterventionId = (typeof INTERVENTIONS)[number]['id'];

/** From this stage a third party must mediate: the person can no longer lead the talks (mediation's start). */
export const THIRD_PARTY_FROM = 5;
/** From this stage safety comes first and the person escalates (arbitration, power intervention, threats). */
export const SAFETY_FIRST_FROM = 6;

/**
 * The intervention to start with at a stage: the one whose band starts latest at or below it (the most specific
 * one, as the stage summaries say "from stage 5: mediation").
 */
export function interventionAt(stage: number): InterventionId {
  let picked: InterventionId = INTERVENTIONS[0].id;
  for (const i of INTERVENTIONS) if (i.from <= stage) picked = i.id;
  return picked;
}

/** The interventions whose stage band overlaps the range `from`-`to`, in the table's order. */
export function interventionsFor(from: number, to: number): InterventionId[] {
  return INTERVENTIONS.filter((i) => i.from <= to && i.to >= from).map((i) => i.id);
}

/** Which part of the result a reason explains. */
export type Finding =
  | 'track'
  | 'glasl'
  | 'intervention'
  | 'certainty'
  | 'roles'
  | 'bridgeBuilder'
  | 'position'
  | 'vertical'
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
  /** Null when no stage signal was given ("weet niet", or only residents' distrust). */
  glasl: GlaslEstimate | null;
  certainty: Certainty;
  roles: RoleId[];
  position: Position;
  missingVoices: VoiceId[];
  /** The rung promised and the rung delivered; null when not given (or not asked). */
  participation: { promised: Rung | null; delivered: Rung | null };
  /** Game changers known not to be used; empty when the question did not apply or was answered "weet niet". */
  gameChangersMissing: GameChangerId[];
  /** How many questions were answered "weet ik niet" (safety: "weet ik niet zeker"). */
  unknowns: number;
  flags: Record<Flag, boolean>;
  reasons: Reason[];
}

/** Public sources of the rules, the result and the explainers (the URLs of docs/method.md). */
export const SOURCES = {
  glasl: 'https://link.springer.com/chapter/10.1007/978-94-017-1132-6_6',
  glaslSignals: 'https://www.perspectus.se/tjordan/Escalationtable.html',
  glaslPhases: 'https://henk50.wordpress.com/tag/escalatieladder/',
  glaslInterventions: 'http://c2r-mediation.org/Schwerpunkt/Strategiemodelle/strategiemodelle.html',
  /** Glasl warning-sign checklists: avoidance, talk behind backs, topics avoided (not validated). */
  glaslWarningSigns: 'https://m-huebler.de/author/huebi',
  brandsmaLaws: 'https://insidepolarisation.nl/wij-zij-denken/',
  brandsmaRoles: {
    nl: 'https://www.polarisatie.nl/nl-home/wat-is-polarisatie/rollen/',
    en: 'https://www.polarisatie.nl/eng-home/what-is-polarisation/roles/',
  },
  /** Dutch: "versterk het midden" and the question of the middle (insidepolarisation.nl); English: the four. */
  brandsmaGameChangers: {
    nl: 'https://insidepolarisation.nl/wij-zij-denken/',
    en: 'https://www.polarisatie.nl/eng-home/what-is-polarisation/game-changers/',
  },
  /** VNG, with the mayors' association and the Veiligheidsberaad: what polarises and what depolarises. */
  vngDepolarisation: 'https://vng.nl/nieuws/handreiking-beschikbaar-gericht-op-depolarisatie',
  /** Administrators acting as bridge builders can force people to choose sides and squeeze the middle. */
  bridgeBuilderTrap: 'https://www.magazine-on-the-spot.nl/samenvoorsocialestabiliteit/polarisatie/',
  /** Horizontal, vertical and affective polarisation. */
  kinds: 'https://www.grenzeloossamenwerken.nl/actueel/nieuws/2025/6/27/werken-met-polarisatie-in-transities',
  /** KIS: horizontal vs vertical polarisation; do not label protesters. */
  kisVertical: 'https://www.kis.nl/artikel/wat-is-polarisatie',
  participationLadder:
    'https://www.movisie.nl/artikel/participatieladder-ordent-praktijkvoorbeelden-clientenparticipatie',
  /** Netwerk Weerbaar Bestuur (BZK and the associations of mayors, aldermen and councillors). */
  weerbaarBestuur: 'https://weerbaarbestuur.nl/',
  /** Police: doxing is a crime in the Netherlands since 1 January 2024; report it. */
  doxxing: 'https://www.politie.nl/nieuws/2024/januari/2/00-doxing-sinds-1-januari-strafbaar.html',
  /** A municipality's page on geheimhouding (afscherming) of personal data in the BRP. */
  brpSecrecy:
    'https://gemeente.leiden.nl/inwoners-en-ondernemers/paspoort-rijbewijs-uittreksels/basisregistratie-personen/geheimhouding-persoonsgegevens-aanvragen/',
} as const;
