/**
 * Runs turns of one person one after another inside this process, so two quick clicks
 * are not interleaved. Across replicas the per-turn claim in the store decides.
 */
export function createPersonLock(): <T>(person: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (person, work) => {
    const previous = tails.get(person) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(person, tail);
    try {
      return await run;
    } finally {
      if (tails.get(person) === tail) tails.delete(person);
    }
  };
}
