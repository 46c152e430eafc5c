import { DataSource } from 'typeorm';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';

/**
 * Records every statement one DataSource sends (each is a round trip), transaction
 * wrappers included, until `stop()`. Statements of other DataSources are not counted.
 */
export function countQueries(dataSource: DataSource) {
  const statements: string[] = [];
  const spies = [BetterSqlite3QueryRunner.prototype, MysqlQueryRunner.prototype].map((proto) => {
    const original = proto.query;
    const spy = jest.spyOn(proto, 'query').mockImplementation(function (
      this: { connection: DataSource },
      ...args: Parameters<typeof original>
    ) {
      if (this.connection === dataSource) statements.push(String(args[0]).replace(/\s+/g, ' '));
      return original.apply(this, args);
    });
    return spy;
  });
  return {
    statements,
    stop: () => spies.forEach((s) => s.mockRestore()),
  };
}
