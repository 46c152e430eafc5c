import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * `npm start` gives node a heap limit under 2 GB: with node's default (up to 4 GB) V8 lets
 * the heap grow to 4 times what survived its last major collection, so a long job's RSS
 * swings by 150-250 MB; under 2 GB about 2 times (README, Memory). The benchmarks that
 * measure the application run it with the same limit, so that their figures are the ones
 * `npm start` gives. Semi-spaces of 64 MB (16 by default): a scavenge then comes after the
 * requests in flight have ended, not while their data is live, and the ingest's collection
 * time halves (README, Memory).
 */
describe('package.json start and benchmark scripts', () => {
  const scripts: Record<string, string> = JSON.parse(
    readFileSync(join(__dirname, '..', 'package.json'), 'utf8'),
  ).scripts;
  const limitOf = (script: string) => /--max-old-space-size=(\d+)/.exec(script)?.[1];
  const semiOf = (script: string) => /--max-semi-space-size=(\d+)/.exec(script)?.[1];

  it('npm start runs node with a heap limit under 2 GB', () => {
    const limit = Number(limitOf(scripts.start));
    expect(limit).toBeGreaterThanOrEqual(1024);
    expect(limit).toBeLessThan(2048);
  });

  it('npm start gives the young generation semi-spaces of 64 MB', () => {
    expect(semiOf(scripts.start)).toBe('64');
  });

  it.each([
    'bench:ingest',
    'bench:jobs',
    'bench:seeding',
    'bench:health',
    'bench:read',
    'bench:push-pull',
  ])('%s runs the application with the heap settings of npm start', (name) => {
    expect(limitOf(scripts[name])).toBe(limitOf(scripts.start));
    expect(semiOf(scripts[name])).toBe(semiOf(scripts.start));
  });
});
