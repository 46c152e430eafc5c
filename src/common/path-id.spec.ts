import { NotFoundException } from '@nestjs/common';
import { parsePathId } from './path-id';

describe('parsePathId', () => {
  it('takes positive integers up to the INT range', () => {
    expect(parsePathId('1', 'job')).toBe(1);
    expect(parsePathId('2147483647', 'job')).toBe(2147483647);
  });

  it.each(['0', '-1', 'abc', '1.5', '01', '2147483648', '1e3', ' 1', ''])(
    '%j is a 404 that says the id is not a positive integer',
    (raw) => {
      expect(() => parsePathId(raw, 'job')).toThrow(NotFoundException);
      expect(() => parsePathId(raw, 'job')).toThrow(/job ids are positive integers/);
    },
  );
});
