/** Reading a submitted form: one text field, or the ids ticked in a multi-choice field. */
import type { ActionInput } from './context.js';

/** The text of a field, trimmed; '' when absent. */
export function fieldText(input: ActionInput, id: string): string {
  const value = input.fields?.[id];
  if (Array.isArray(value)) return value.join(',').trim();
  return (value ?? '').trim();
}

/** The ids of a multi-choice (or channel) field; a comma list counts too (the terminal, Teams). */
export function fieldList(input: ActionInput, id: string): string[] {
  const value = input.fields?.[id];
  const list = Array.isArray(value) ? value : (value ?? '').split(',');
  return [...new Set(list.map((v) => v.trim()).filter(Boolean))];
}
