/**
 * Keys of the sessions feature. Persons are pseudonyms; a session id is random. Records that change (a session, an
 * RSVP) are versioned values written with compare-and-set; seats are a counter with the session's seats as its cap;
 * the waiting line, the seated and the open offers are sorted indexes by press time (offers: by their deadline).
 */
export const SESSIONS_FEATURE = 'sessions';

/** Broadcast kinds of this feature (delivered by src/delivery, with quiet hours for direct messages). */
export const SESSION_KINDS = {
  reminder: 'session-reminder',
  change: 'session-change',
  notice: 'session-notice',
} as const;

export const sessionKeys = {
  /** The session itself (versioned). */
  session: (id: string) => `sessions:s:${id}`,
  /** Every session by its start, for lists and retention. */
  byStart: 'sessions:by-start',
  /** Seats taken or held for an offer: a counter capped at the session's seats. */
  seats: (id: string) => `sessions:seats:${id}`,
  /** Presses counted, to order presses within one millisecond by their arrival at the store. */
  tickets: (id: string) => `sessions:tickets:${id}`,
  /** People with a seat, by press time. */
  seated: (id: string) => `sessions:seated:${id}`,
  /** The waiting line, by press time: the first entry is offered the next free seat. */
  waiting: (id: string) => `sessions:waiting:${id}`,
  /** People who were offered a freed seat, by the offer's deadline. */
  offers: (id: string) => `sessions:offers:${id}`,
  /** One person's registration for one session (versioned; person data). */
  rsvp: (id: string, person: string) => `sessions:rsvp:${id}:${person}`,
  /** A person's sessions by start (person data), for "mijn inschrijvingen". */
  mine: (person: string) => `sessions:mine:${person}`,
  /** Attendance per session: the person with 1 (attended) or 0 (absent), from the session's end. */
  attendance: (id: string) => `sessions:attendance:${id}`,
  /** One person's attendance of one session (person data): no check-in content. */
  attended: (id: string, person: string) => `sessions:att:${id}:${person}`,
  /** Who a one-person message (an offer, an offer that lapsed) goes to, by its broadcast id (person data). */
  notice: (broadcastId: string) => `sessions:notice:${broadcastId}`,
} as const;
