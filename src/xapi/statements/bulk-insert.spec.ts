import { byKey, chunksBySize, INSERT_CHUNK, sortedByKey } from './bulk-insert';

describe('bulk-insert helpers', () => {
  it('sortedByKey orders rows as byKey does, building each key once', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ vid: `v${(i * 37) % 11}`, n: i }));
    let built = 0;
    const key = (r: { vid: string; n: number }) => {
      built++;
      return `${r.vid}\0${String(r.n).padStart(12, '0')}`;
    };
    const sorted = sortedByKey(rows, key);
    expect(built).toBe(rows.length);
    expect(sorted).toEqual([...rows].sort(byKey(key)));
    expect(rows[0].n).toBe(0); // the input is left as it was
  });

  it('chunksBySize cuts at INSERT_CHUNK rows and at about 4 MB', () => {
    const small = Array.from({ length: INSERT_CHUNK * 2 + 1 }, () => 10);
    expect(chunksBySize(small, (b) => b).map((c) => c.length)).toEqual([
      INSERT_CHUNK,
      INSERT_CHUNK,
      1,
    ]);
    const big = [1_500_000, 1_500_000, 1_500_000, 10];
    expect(chunksBySize(big, (b) => b).map((c) => c.length)).toEqual([2, 2]);
    // A row larger than the limit still goes, alone.
    expect(chunksBySize([5_000_000, 1], (b) => b).map((c) => c.length)).toEqual([1, 1]);
  });
});
