import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { makeRunContext } from '../../../../test/support/job-context';
import { BuiltInChecksRunner, checksFor } from '../built-in-checks.runner';
import { BUILT_IN_CHECKS, SECTIONS } from './index';
import { RunData } from './run-data';

/** A fake "LRS" that answers every request with the same status and a JSON body. */
async function fakeLrs(
  status: number,
  body: unknown,
): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'X-Experience-API-Version': '1.0.3',
      });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}/api/x/xapi/` };
}

async function failuresAgainst(endpoint: string, version: '1.0.3' | '2.0.0') {
  const ctx = makeRunContext({});
  const outcome = await new BuiltInChecksRunner().run({
    ctx,
    endpoint,
    authorization: 'Basic dXNlcjpwYXNz',
    version,
    section: null,
    data: new RunData(),
  });
  return { outcome, ctx };
}

describe('built-in checks', () => {
  it('are at least 150, with unique stable ids prefixed by their section and one-line descriptions', () => {
    expect(BUILT_IN_CHECKS.length).toBeGreaterThanOrEqual(150);
    const ids = BUILT_IN_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of BUILT_IN_CHECKS) {
      expect(c.id).toMatch(new RegExp(`^${c.section}\\.[a-z0-9.-]+$`));
      expect(c.description.length).toBeGreaterThan(15);
      expect(c.description).not.toMatch(/\n/);
    }
    for (const s of SECTIONS) expect(BUILT_IN_CHECKS.some((c) => c.section === s)).toBe(true);
  });

  it("derive a run's registrations from its token: UUIDs, distinct, found again from the token", () => {
    const data = new RunData();
    const more = [data.newRegistration(), data.newRegistration()];
    const all = RunData.allRegistrations(data.token);
    expect(all).toHaveLength(RunData.MAX_REGISTRATIONS);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, 3)).toEqual([data.registration, ...more]);
    for (const r of all.slice(0, 50)) {
      expect(r).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new RunData(data.token).registration).toBe(data.registration);
    expect(new RunData().registration).not.toBe(data.registration);
  });

  it('apply per xAPI version: the alternate syntax runs under 1.0.3, its refusal under 2.0.0', () => {
    expect(checksFor('alternate-syntax', '1.0.3').map((c) => c.id)).not.toContain(
      'alternate-syntax.refused-in-2.0',
    );
    expect(checksFor('alternate-syntax', '2.0.0').map((c) => c.id)).toEqual([
      'alternate-syntax.refused-in-2.0',
    ]);
    expect(checksFor('state', '2.0.0').map((c) => c.id)).toContain('state.put-existing-409');
    expect(checksFor('state', '1.0.3').map((c) => c.id)).toContain('state.put-replaces');
  });

  // Each check must be able to fail: none passes both against an endpoint that says
  // yes (200 and an empty object) to everything and one that says no (400) to everything.
  it.each(['1.0.3', '2.0.0'] as const)(
    'can each fail: none passes against both a yes-to-all and a no-to-all endpoint (%s)',
    async (version) => {
      const yes = await fakeLrs(200, {});
      const no = await fakeLrs(400, { message: 'no' });
      try {
        const a = await failuresAgainst(yes.endpoint, version);
        const b = await failuresAgainst(no.endpoint, version);
        const all = checksFor(null, version).map((c) => c.id);
        const failedSomewhere = new Set([...a.outcome.failures, ...b.outcome.failures]);
        expect(all.filter((id) => !failedSomewhere.has(id))).toEqual([]);
        // A failure entry says what was sent, what was expected and what came back.
        const entry = b.ctx.logs.find((l) => l.data?.check === 'statements-write.post-single')!;
        expect(entry.level).toBe(3);
        expect(entry.data).toMatchObject({
          sent: {
            method: 'POST',
            url: 'statements',
            headers: { 'Content-Type': 'application/json' },
          },
          expected: 'status 200',
          got: 'status 400: {"message":"no"}',
        });
        expect(JSON.stringify(b.ctx.logs)).not.toContain('dXNlcjpwYXNz');
        expect(b.ctx.progressReports.at(-1)).toEqual({ done: all.length, total: all.length });
      } finally {
        yes.server.close();
        no.server.close();
      }
    },
    60_000,
  );

  it('stops between checks when the run is aborted', async () => {
    const yes = await fakeLrs(200, {});
    try {
      const ctx = makeRunContext({}, { abortAfterProgress: 3 });
      await expect(
        new BuiltInChecksRunner().run({
          ctx,
          endpoint: yes.endpoint,
          authorization: 'Basic eDp5',
          version: '1.0.3',
          section: null,
          data: new RunData(),
        }),
      ).rejects.toThrow();
      expect(ctx.progressReports).toHaveLength(3);
    } finally {
      yes.server.close();
    }
  });
});
