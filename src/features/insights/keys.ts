/**
 * Keys of the insights feature. A group is `<platform>:<keyed hash of the workspace or tenant id>`, never the id
 * itself. Facts carry no person: the only keys that name a person are the person's own (tracked) links, which
 * "vergeet mij" deletes.
 */
export const INSIGHTS_FEATURE = 'insights';

export const INSIGHTS_KINDS = { digest: 'insights-digest', followup: 'insights-followup' } as const;

export const INSIGHTS_JOBS = { daily: 'insights.daily' } as const;

export const insightsKeys = {
  /** One anonymous fact: a check-in result shown in `group` in `month` (no person, no time). */
  fact: (group: string, month: string, id: string) => `insights:f:${group}:${month}:${id}`,
  /** Every fact of a group and month. */
  facts: (group: string, month: string) => `insights:f:${group}:${month}:`,
  /** The person's fact of this month in this group, so a second check-in replaces it (person data). */
  mine: (person: string, group: string, month: string) => `insights:mine:${person}:${group}:${month}`,
  /** The random token that links a person's before and after within one session cohort (person data). */
  link: (session: string, person: string) => `insights:link:${session}:${person}`,
  /** The phase band before and after, under the token only (deleted with the person and with the cohort). */
  pair: (session: string, group: string, token: string) => `insights:pair:${session}:${group}:${token}`,
  /** The tokens of one cohort in one group. */
  cohort: (session: string, group: string) => `insights:cohort:${session}:${group}`,
  /** Every session with a cohort, by the end of its retention. */
  cohorts: 'insights:cohorts',
  /** The groups of a cohort (member: group), to delete them with the cohort. */
  cohortGroups: (session: string) => `insights:cohort-groups:${session}`,
  /** The person accepted a follow-up check-in for a session (person data, short-lived). */
  awaiting: (person: string) => `insights:await:${person}`,
  /** An organiser's monthly digest (person data). */
  digest: (person: string) => `insights:digest:${person}`,
  /** Everyone with a digest (member: pseudonym; removed on "vergeet mij"). */
  digests: 'insights:digests',
  /** A chart picture's numbers, behind a random id (no person, no group in its address). */
  chart: (id: string) => `insights:chart:${id}`,
  /** A CSV export behind a random id, for a day. */
  csv: (id: string) => `insights:csv:${id}`,
} as const;

/** Keys of a cohort's outcome, kept once the follow-up period closed (counts only, no tokens). */
export const cohortKeys = {
  /** The counts of a closed cohort in one group (only when at least k answered both). */
  shift: (session: string, group: string) => `insights:shift:${session}:${group}`,
  /** The cohort of a session is closed: no more answers count, the tokens are gone. */
  closed: (session: string) => `insights:closed:${session}`,
} as const;
