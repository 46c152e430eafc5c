/**
 * The benchmarks' statements come from the one seeding generator
 * (src/job-types/seeding/seeding-generator.ts), so that benchmarks, tests and users fill
 * stores the same way. This file keeps the API the benchmarks were written against:
 * `buildPopulation(seed)` then `makeBatch(seed, pop, n, size)`, batch n being statements
 * n*size .. (n+1)*size-1 of the seeding stream: the same for a given seed whatever order
 * the batches are asked for (in increasing order it costs nothing extra).
 */
import {
  DEFAULT_SEEDING_CONFIG,
  parseSeedingConfig,
  SeedingConfig,
} from '../src/job-types/seeding/seeding-config';
import {
  buildWorld,
  enrollmentStatements,
  Rng,
  StatementStream,
  World,
} from '../src/job-types/seeding/seeding-generator';

export { Rng };
export type Json = Record<string, any>;

export interface Population {
  seed: number;
  world: World;
  /** The stream positioned where the last batch ended. */
  stream: StatementStream;
}

/**
 * A seeding config for benchmarks: a year, `4 * agentsPerType` learners spread evenly
 * over the four identifier types, 24 courses; xAPI 1.0.3 only (the benches POST with
 * that header).
 */
export function benchConfig(seed: number, agentsPerType = 2500): SeedingConfig {
  const { config, errors } = parseSeedingConfig({
    seed,
    period: { start: '2025-01-06T00:00:00Z', end: '2025-12-21T00:00:00Z', timezone: 'UTC' },
    counts: { statements: 100_000_000, states: 0, activity_profiles: 0, agent_profiles: 0 },
    learners: {
      count: 4 * agentsPerType,
      identifiers: { mbox: 0.25, mbox_sha1sum: 0.25, openid: 0.25, account: 0.25 },
    },
    groups: { count: Math.min(200, Math.floor(agentsPerType / 2)), size: 8, share: 0.1 },
    instructors: { count: 40, share: 0.2 },
    courses: {
      ...DEFAULT_SEEDING_CONFIG.courses,
      count: 24,
      modules: 3,
      lessons: 3,
      questions: 4,
    },
    shares: { ...DEFAULT_SEEDING_CONFIG.shares, xapi_2: 0 },
  });
  if (!config) throw new Error(`benchConfig: ${JSON.stringify(errors)}`);
  return config;
}

/** The fixed world the statements are drawn from. */
export function buildPopulation(seed: number, agentsPerType = 2500): Population {
  const world = buildWorld(benchConfig(seed, agentsPerType));
  return { seed, world, stream: new StatementStream(world) };
}

/** One statement drawn from the population (the first of a random enrollment). */
export function makeStatement(rng: Rng, pop: Population): Json {
  return enrollmentStatements(pop.world, rng.int(2 ** 31))[0].statement;
}

/** Batch number `n` of `size` statements; the same for the same seed and n. */
export function makeBatch(seed: number, pop: Population, n: number, size: number): Json[] {
  if (seed !== pop.seed) throw new Error(`makeBatch: population built for seed ${pop.seed}`);
  const from = n * size;
  if (pop.stream.emitted > from) pop.stream = new StatementStream(pop.world);
  while (pop.stream.emitted < from) pop.stream.take(Math.min(10_000, from - pop.stream.emitted));
  return pop.stream.take(size).map((g) => g.statement);
}
