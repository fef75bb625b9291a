// The small parsers every configuration module shares: loopback hosts, whole numbers in a range, lists, and
// https-or-loopback URLs (identity, audit export, account events use it for their endpoints).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { httpsOrLoopbackUrl, intSetting, isLoopbackHost, listSetting } from '../../src/config/parse.js';

describe('isLoopbackHost', () => {
  it('localhost, the IPv6 loopback and all of 127.0.0.0/8, in any case', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.9', '127.1.22.255', '[::1]', '::1'])
      assert.equal(isLoopbackHost(h), true, h);
  });
  it('names and addresses that only resemble it are not', () => {
    for (const h of [
      '127.0.0.1.attacker.example',
      '127.attacker.example',
      'x127.0.0.1',
      '127.0.0',
      '127.0.0.1.5',
      '127.0.0.1000',
      '127.a.b.c',
      '128.0.0.1',
      'localhost.attacker.example',
      '[::2]',
      '0.0.0.0',
      '',
    ])
      assert.equal(isLoopbackHost(h), false, h);
  });
});

describe('intSetting', () => {
  const read = (value: string | undefined) => {
    const problems: string[] = [];
    const n = intSetting({ N: value }, 'N', 7, 2, 10, problems);
    return { n, problems };
  };
  it('unset or blank: the fallback, no problem', () => {
    for (const v of [undefined, '', '  ']) assert.deepEqual(read(v), { n: 7, problems: [] }, String(v));
  });
  it('the bounds are inclusive; surrounding spaces are trimmed', () => {
    assert.deepEqual(read('2'), { n: 2, problems: [] });
    assert.deepEqual(read('10'), { n: 10, problems: [] });
    assert.deepEqual(read(' 5 '), { n: 5, problems: [] });
  });
  it('out of range or not a whole number: the fallback and a problem quoting the value as given', () => {
    for (const v of ['1', '11', '-3', '3.5', '1e1', '5x', 'x5', ' 0x5'])
      assert.deepEqual(read(v), { n: 7, problems: [`N="${v}" is not valid: expected a whole number from 2 to 10`] }, v);
  });
});

describe('listSetting', () => {
  it('comma-separated, trimmed, empty entries dropped', () => {
    assert.deepEqual(listSetting(' a, b ,,c , '), ['a', 'b', 'c']);
    assert.deepEqual(listSetting(undefined), []);
    assert.deepEqual(listSetting(' , '), []);
  });
});

describe('httpsOrLoopbackUrl', () => {
  it('https anywhere, plain http only on loopback', () => {
    assert.equal((httpsOrLoopbackUrl('https://logging.example/v2') as URL).href, 'https://logging.example/v2');
    assert.equal((httpsOrLoopbackUrl('http://127.0.0.1:4000/x') as URL).href, 'http://127.0.0.1:4000/x');
    assert.equal((httpsOrLoopbackUrl('http://localhost:4000') as URL).host, 'localhost:4000');
  });
  it('says what is expected, without echoing the value', () => {
    const cases: Array<[string, string]> = [
      ['not a url', 'an absolute https:// URL'],
      ['https://user:secret@logging.example', 'a URL without credentials'],
      ['https://user@logging.example', 'a URL without credentials'],
      ['https://:secret@logging.example', 'a URL without credentials'],
      ['http://logging.example', 'an https:// URL (plain http only on loopback addresses)'],
      ['http://127.0.0.1.attacker.example', 'an https:// URL (plain http only on loopback addresses)'],
      ['ftp://127.0.0.1/x', 'an https:// URL (plain http only on loopback addresses)'],
      ['ws://localhost:4000', 'an https:// URL (plain http only on loopback addresses)'],
    ];
    for (const [value, expected] of cases) assert.equal(httpsOrLoopbackUrl(value), expected, value);
  });
});
