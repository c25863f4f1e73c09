import type { Feature } from './context.js';

type HandlerTable = 'commands' | 'actions' | 'onDialogDone';
type HandlerOf<T extends HandlerTable> = NonNullable<NonNullable<Feature[T]>[keyof NonNullable<Feature[T]>]>;

/**
 * The first feature's handler for `name` in one of its tables. Own properties only: names come from what people
 * type and click, and `__proto__` or `constructor` must find nothing rather than Object's own members.
 */
export function findHandler<T extends HandlerTable>(
  features: readonly Feature[],
  table: T,
  name: string,
): HandlerOf<T> | undefined {
  for (const feature of features) {
    const handlers = feature[table] as Record<string, unknown> | undefined;
    if (handlers && Object.hasOwn(handlers, name) && typeof handlers[name] === 'function')
      return handlers[name] as unknown as HandlerOf<T>; // checked: an own function property of that table
  }
  return undefined;
}
