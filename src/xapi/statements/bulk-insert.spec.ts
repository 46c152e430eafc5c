import { chunksBySize, INSERT_CHUNK, INSERT_CHUNK_CHARS } from './bulk-insert';

describe('bulk-insert helpers', () => {
  it('chunksBySize cuts at INSERT_CHUNK rows and at about INSERT_CHUNK_CHARS', () => {
    const small = Array.from({ length: INSERT_CHUNK * 2 + 1 }, () => 10);
    expect(chunksBySize(small, (b) => b).map((c) => c.length)).toEqual([
      INSERT_CHUNK,
      INSERT_CHUNK,
      1,
    ]);
    const third = Math.floor(INSERT_CHUNK_CHARS / 3);
    const big = [third, third, third, third, 10];
    expect(chunksBySize(big, (b) => b).map((c) => c.length)).toEqual([3, 2]);
    // A row larger than the limit still goes, alone.
    expect(chunksBySize([INSERT_CHUNK_CHARS * 2, 1], (b) => b).map((c) => c.length)).toEqual([
      1, 1,
    ]);
  });
});
