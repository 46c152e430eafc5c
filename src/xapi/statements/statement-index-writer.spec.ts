import { sortIndexRows } from './statement-index-writer';

describe('sortIndexRows', () => {
  it('orders index rows as their (key, role, row id) key strings sort, sorting the distinct keys', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      vid: ['mbox:mailto:a@x.org', 'mbox:mailto:a@x.org.uk', 'account:h\0b', 'openid:z'][i % 4],
      role: ['team', 'actor', 'instructor'][(i * 7) % 3],
      statementRowId: (i * 7919) % 1009,
    }));
    const key = (r: (typeof rows)[number]) =>
      `${r.vid}\u0001${r.role}\u0001${String(r.statementRowId).padStart(12, '0')}`;
    const expected = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(sortIndexRows(rows, (r) => r.vid)).toEqual(expected);
  });
});
