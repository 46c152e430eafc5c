import { acceptedFor, grants } from './permissions';

describe('acceptedFor', () => {
  it('lets xapi/all/read through every xAPI read (GET, HEAD), whatever the route names', () => {
    for (const method of ['GET', 'HEAD', 'get']) {
      for (const p of ['xapi/state', 'xapi/profile', 'xapi/statements/read/mine'] as const) {
        expect(acceptedFor([p], method)).toEqual([p, 'xapi/all/read']);
      }
    }
    expect(acceptedFor(['xapi/all/read'], 'GET')).toEqual(['xapi/all/read']);
  });

  it('does not let xapi/all/read write, nor read outside xAPI', () => {
    for (const method of ['PUT', 'POST', 'DELETE']) {
      expect(acceptedFor(['xapi/state'], method)).toEqual(['xapi/state']);
    }
    expect(acceptedFor(['logging/all'], 'GET')).toEqual(['logging/all']);
    expect(acceptedFor([], 'GET')).toEqual([]);
  });

  it('xapi/all holds xapi/all/read, so it reads too', () => {
    expect(grants(['xapi/all']).has('xapi/all/read')).toBe(true);
  });
});
