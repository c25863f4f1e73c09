import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';

const base = { BOT_LOCAL_MODE: '1' };

describe('INSIGHTS_K and FOLLOWUP_WEEKS', () => {
  it('default to 5 and 6', () => {
    expect(loadConfig(base).insights).toEqual({ k: 5, followupWeeks: 6 });
  });

  it('take higher values, such as 10 for political items', () => {
    expect(loadConfig({ ...base, INSIGHTS_K: '10', FOLLOWUP_WEEKS: '8' }).insights).toEqual({
      k: 10,
      followupWeeks: 8,
    });
  });

  it('refuse a k below 3, naming the key and why, never the value', () => {
    for (const value of ['2', '0', '-5']) {
      let error: unknown;
      try {
        loadConfig({ ...base, INSIGHTS_K: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message)).toContain('INSIGHTS_K: must be at least 3');
    }
    expect(() => loadConfig({ ...base, INSIGHTS_K: '4.5' })).toThrow(/INSIGHTS_K: must be a whole number/);
    expect(() => loadConfig({ ...base, INSIGHTS_K: 'five' })).toThrow(/INSIGHTS_K/);
    expect(() => loadConfig({ ...base, FOLLOWUP_WEEKS: '0' })).toThrow(
      /FOLLOWUP_WEEKS: must be a whole number from 1 to 52/,
    );
  });
});
