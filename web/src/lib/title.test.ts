import { describe, expect, it } from 'vitest';
import { plainTitle } from './title.ts';

describe('plainTitle', () => {
  it('drops markdown markup and keeps the words', () => {
    expect(plainTitle('# [RFC] **Treasury** _Management_ Plan')).toBe('[RFC] Treasury Management Plan');
    expect(plainTitle('[AIP-42](https://forum.example/t/42): `fee_switch` ~~v1~~ v2')).toBe('AIP-42: fee_switch v1 v2');
    expect(plainTitle('## Fund *the* <b>grants</b> program ##')).toBe('Fund the grants program');
    expect(plainTitle('Escaped \\*stars\\* stay')).toBe('Escaped *stars* stay');
  });

  it('leaves plain titles and snake_case words alone', () => {
    expect(plainTitle('Decentraland DAO: 2030 Transition Plan')).toBe('Decentraland DAO: 2030 Transition Plan');
    expect(plainTitle('Set max_fee_rate to 5%')).toBe('Set max_fee_rate to 5%');
    expect(plainTitle('2 * 3 = 6 and 4 * 5 = 20')).toBe('2 * 3 = 6 and 4 * 5 = 20');
  });
});
