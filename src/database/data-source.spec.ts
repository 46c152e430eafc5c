import { format } from 'mysql2';
import { formatQuery } from './data-source';

describe('formatQuery (mysql2 queryFormat)', () => {
  it('leaves a query without parameters as it is, question marks and all', () => {
    const sql = "INSERT INTO t (a) VALUES ('what?'), ('??')";
    expect(formatQuery(sql, [], 'Z')).toBe(sql);
    expect(formatQuery(sql, undefined, 'Z')).toBe(sql);
  });

  it("formats parameters as mysql2 does with TypeORM's settings", () => {
    const when = new Date('2026-12-06T01:02:03.456Z');
    const values = ["it's", 7, null, when, { a: 'b' }, [1, 2]];
    const sql = 'SELECT ?, ?, ?, ?, ?, (?) FROM ??';
    expect(formatQuery(sql, [...values, 'tbl'], 'Z')).toBe(
      format(sql, [...values, 'tbl'] as never, true, 'Z'),
    );
    expect(formatQuery('SELECT ?', ["it's"], 'Z')).toBe("SELECT 'it\\'s'");
  });
});
