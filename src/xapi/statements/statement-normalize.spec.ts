import { normalizeStatement } from './statement-normalize';

describe('normalizeStatement', () => {
  const parent = { id: 'http://example.com/course' };

  it('wraps a single context activity in an array, in the statement and its sub-statement', () => {
    const given = {
      id: 'x',
      context: { contextActivities: { parent, grouping: [parent] } },
      object: { objectType: 'SubStatement', context: { contextActivities: { other: parent } } },
    };
    const before = JSON.stringify(given);
    const out = normalizeStatement(given);
    expect(out.context.contextActivities).toEqual({ parent: [parent], grouping: [parent] });
    expect(out.object.context.contextActivities).toEqual({ other: [parent] });
    expect(JSON.stringify(given)).toBe(before); // the input is not changed
  });

  it('keeps a context with nothing to wrap as it is, on a new statement object', () => {
    const context = { contextActivities: { parent: [parent] }, registration: 'r' };
    const given = { id: 'x', context };
    const out = normalizeStatement(given);
    expect(out).not.toBe(given);
    expect(out.context).toBe(context);
    expect(out.context.contextActivities).toEqual({ parent: [parent] });
  });
});
