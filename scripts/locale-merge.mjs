#!/usr/bin/env node
// Deep-merges a fragment { "nl": {...}, "en": {...} } into dialogs/locales/{nl,en}.json, keys sorted.
// Usage: node scripts/locale-merge.mjs fragment.json   (existing keys are overwritten by the fragment)
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
const fragment = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const merge = (a, b) => {
  for (const [k, v] of Object.entries(b))
    a[k] = v && typeof v === 'object' && !Array.isArray(v) ? merge(a[k] && typeof a[k] === 'object' ? a[k] : {}, v) : v;
  return a;
};
const sort = (o) =>
  o && typeof o === 'object' && !Array.isArray(o)
    ? Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, sort(o[k])]),
      )
    : o;
for (const locale of Object.keys(fragment)) {
  const file = `dialogs/locales/${locale}.json`;
  const current = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeFileSync(`${file}.tmp`, `${JSON.stringify(sort(merge(current, fragment[locale])), null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
