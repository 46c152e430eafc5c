import { QueryErrorLogger } from './query-logger';

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
      expect(spy).not.toHaveBeenCalled();
      logger.logQueryError(duplicate, 'INSERT INTO stores');
      expect(spy.mock.calls.flat().join('\n')).toContain('INSERT INTO stores');
    } finally {
      spy.mockRestore();
    }
  });
});
