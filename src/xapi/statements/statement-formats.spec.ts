import { acceptedLanguages, formatStatement } from './statement-formats';

const statement = {
  id: '1f2b9b6e-0b7c-4e43-9d4e-3a1c1d2e3f40',
  actor: { objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@example.com' },
  verb: { id: 'http://example.com/v', display: { 'en-US': 'did', 'fr-FR': 'a fait' } },
  object: {
    objectType: 'Activity',
    id: 'http://example.com/a',
    definition: { name: { 'en-US': 'A', 'fr-FR': 'Un' }, description: { 'en-US': 'Desc' } },
  },
};

describe('statement formats', () => {
  it('exact returns the statement unchanged', () => {
    expect(formatStatement(statement, 'exact')).toBe(statement);
  });

  it('ids keeps identifiers only', () => {
    const out = formatStatement(statement, 'ids');
    expect(out.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:ann@example.com' });
    expect(out.verb).toEqual({ id: 'http://example.com/v' });
    expect(out.object).toEqual({ id: 'http://example.com/a' });
  });

  it('canonical keeps one language per map, by Accept-Language', () => {
    const out = formatStatement(statement, 'canonical', acceptedLanguages('fr;q=0.9, de'));
    expect(out.verb.display).toEqual({ 'fr-FR': 'a fait' });
    expect(out.object.definition.name).toEqual({ 'fr-FR': 'Un' });
    expect(out.object.definition.description).toEqual({ 'en-US': 'Desc' });
    expect(out.actor.name).toBe('Ann');
  });

  it('orders Accept-Language by quality', () => {
    expect(acceptedLanguages('en;q=0.5, fr-CA, de;q=0')).toEqual(['fr-ca', 'en']);
  });
});
