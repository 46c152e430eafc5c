import { plainToInstance } from 'class-transformer';
import { IsOptional, validateSync } from 'class-validator';
import { decimalInteger, QueryInt } from './query-int';

class Q {
  @IsOptional()
  @QueryInt()
  n?: number;
}

const faults = (n: string) => validateSync(plainToInstance(Q, { n })).map((e) => e.property);

describe('QueryInt', () => {
  it('takes plain decimal integers', () => {
    expect(decimalInteger('0')).toBe(0);
    expect(decimalInteger('42')).toBe(42);
    expect(decimalInteger('-3')).toBe(-3);
    expect(faults('7')).toEqual([]);
  });

  it('refuses empty, blank, hex, exponent, fraction, signs and unsafe values', () => {
    for (const bad of ['', ' ', '%20', '0x3', '1e1', '1.0', '+1', ' 1', '1 ', '9'.repeat(20)]) {
      expect({ bad, faults: faults(bad) }).toEqual({ bad, faults: ['n'] });
    }
  });
});
