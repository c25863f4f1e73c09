import nock from 'nock';
import { afterAll, afterEach } from 'vitest';
import { removeTempDirs } from './support/temp.js';

// Tests never leave the machine: only loopback (127.0.0.1, localhost, ::1) may be reached.
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/.test(host));

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  removeTempDirs();
});
