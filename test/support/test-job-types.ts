import { Injectable, Module } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { invalidInput } from '../../src/common/errors';
import {
  JobCreationContext,
  JobHandler,
  JobRunContext,
  JobRunResult,
  JobType,
} from '../../src/jobs/job-type';

export class TestSleepParams {
  @ApiProperty({ example: 200, description: 'How long the run lasts (ms)' })
  @IsInt()
  @Min(0)
  @Max(600_000)
  ms: number;

  @ApiPropertyOptional({ example: false, description: 'Throw at the end of the run' })
  @IsOptional()
  @IsBoolean()
  fail?: boolean;

  @ApiPropertyOptional({
    example: false,
    description: 'Ignore the abort signal (a stubborn handler)',
  })
  @IsOptional()
  @IsBoolean()
  ignore_signal?: boolean;

  @ApiPropertyOptional({ example: 'statements' })
  @IsOptional()
  @IsString()
  service?: string;

  @ApiPropertyOptional({ example: 3 })
  @IsOptional()
  @IsInt()
  connection?: number;
}

export interface TestSleepRun {
  jobId: number;
  store: string | null;
  params: TestSleepParams;
  startedAt: number;
  /** ctx.startedAt: the run's start as the handler sees it (a retry's is its first attempt's). */
  runStart: number;
  endedAt?: number;
  aborted?: boolean;
}

/** Every run of test-sleep in this process, in start order. */
export const testSleepRuns: TestSleepRun[] = [];

/** A test-only job type: waits `ms`, checking its signal, reporting progress, and records itself. */
@JobType({
  name: 'test-sleep',
  params: TestSleepParams,
  store: 'per-store',
  description: 'Test only: sleeps.',
  connectionParams: ['connection'],
})
@Injectable()
export class TestSleepHandler implements JobHandler<TestSleepParams> {
  async run(ctx: JobRunContext<TestSleepParams>): Promise<JobRunResult> {
    const record: TestSleepRun = {
      jobId: ctx.jobId,
      store: ctx.store?.slug ?? null,
      params: ctx.params,
      startedAt: Date.now(),
      runStart: ctx.startedAt.getTime(),
    };
    testSleepRuns.push(record);
    const { ms } = ctx.params;
    const end = Date.now() + ms;
    let steps = 0;
    let runs = 0;
    try {
      while (Date.now() < end) {
        if (ctx.signal.aborted && !ctx.params.ignore_signal) break;
        await new Promise((r) => setTimeout(r, Math.min(20, end - Date.now())));
        steps += 1;
        await ctx.progress(Math.min(ms, ms - (end - Date.now())), ms);
      }
      if (ctx.signal.aborted) {
        record.aborted = true;
        throw new Error('aborted');
      }
      runs = (ctx.state.get<{ runs: number }>()?.runs ?? 0) + 1;
      await ctx.state.set({ runs });
    } finally {
      // When the handler really stopped, however it stopped.
      record.endedAt = Date.now();
    }
    if (ctx.params.fail) throw new Error('told to fail');
    return { feedback: `slept ${ms} ms`, data: { ms, steps, runs } };
  }
}

export class TestNoteParams {
  @ApiProperty({ example: 'hello' })
  @IsString()
  note: string;
}

/** A test-only job type with a store over every store when omitted, one-shot repeats and a database check. */
@JobType({
  name: 'test-note',
  params: TestNoteParams,
  store: 'all-when-omitted',
  repeats: ['now', 'on'],
})
@Injectable()
export class TestNoteHandler implements JobHandler<TestNoteParams> {
  async validate(ctx: JobCreationContext<TestNoteParams>) {
    if (ctx.params.note === 'refuse') throw invalidInput({ note: ['This note is refused.'] });
  }

  async run(ctx: JobRunContext<TestNoteParams>): Promise<JobRunResult> {
    await ctx.log(1, `note: ${ctx.params.note}`);
    return { feedback: `noted ${ctx.params.note} on ${ctx.store?.slug ?? 'every store'}` };
  }
}

@Module({ providers: [TestSleepHandler, TestNoteHandler] })
export class TestJobTypesModule {}
