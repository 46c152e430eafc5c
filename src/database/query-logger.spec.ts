import { DUPLICATES_EXPECTED, QueryErrorLogger } from './query-logger';

describe('QueryErrorLogger', () => {
  const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), {
    errno: 1213,
    code: 'ER_LOCK_DEADLOCK',
  });
  const duplicate = Object.assign(new Error("Duplicate entry 'x'"), {
    errno: 1062,
    code: 'ER_DUP_ENTRY',
  });

  it('leaves out lock conflicts (the callers retry them) and logs every other failed query', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const logger = new QueryErrorLogger();
      logger.logQueryError(deadlock, 'UPDATE jobs SET running = 1');
      // A prepared statement the server refused: sent again as text (executePreparedOrText).
      logger.logQueryError(
        Object.assign(new Error("Can't create more than max_prepared_stmt_count statements"), {
          errno: 1461,
        }),
        'INSERT INTO statements',
      );
      expect(spy).not.toHaveBeenCalled();
      logger.logQueryError(duplicate, 'INSERT INTO stores');
      // Highlighted with ANSI colours where the console supports them (CI=true does).
      const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
      const printed = spy.mock.calls.flat().join('\n').replace(ansi, '');
      expect(printed).toContain('INSERT INTO stores');
      expect(printed).toContain("Duplicate entry 'x'");
      // A query that expects duplicates: its unique violations are left out, nothing else.
      spy.mockClear();
      logger.logQueryError(duplicate, `INSERT INTO statements${DUPLICATES_EXPECTED}`);
      expect(spy).not.toHaveBeenCalled();
      logger.logQueryError(
        new Error('Data too long'),
        `INSERT INTO statements${DUPLICATES_EXPECTED}`,
      );
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
