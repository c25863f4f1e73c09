/**
 * The check-in's store keys, all under `checkin:` so no other feature's keys can match them. `person` is the
 * pseudonym; result ids are random. Every person-scoped key is tracked in the person index ("vergeet mij").
 */
const safe = (part: string): string =>
  part.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export const checkinKeys = {
  /** A kept check-in result. */
  result: (person: string, resultId: string) => `checkin:result:${person}:${safe(resultId)}`,
  /** The ids of a person's results, newest last. */
  resultList: (person: string) => `checkin:results:${person}`,
  /** That a person already said whether a result was useful (one vote per result); holds no vote. */
  usefulVoted: (person: string, resultId: string) => `checkin:voted:${person}:${safe(resultId)}`,
  /** The person's free-text note with a result: sealed, with its own retention (NOTE_RETENTION_DAYS). */
  note: (person: string, resultId: string) => `checkin:note:${person}:${safe(resultId)}`,
  /** Messages the bot sent that show a result, so forgetting it can delete them. */
  sentForResult: (person: string, resultId: string) => `checkin:sent:${person}:${safe(resultId)}`,
  /** An anonymous counter ("was this useful?" votes, safety routes shown): no person in it. */
  counter: (name: string) => `checkin:counter:${safe(name)}`,
} as const;
