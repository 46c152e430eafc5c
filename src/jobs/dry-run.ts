import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

/**
 * The optional `dry_run` param of the destructive types (validation, clearing,
 * agent-deletion): their params DTO extends this class. A dry run walks the same
 * selection as a real run and skips the action, so it reports the counts that a real
 * run would then delete.
 */
export class DryRunParams {
  @ApiPropertyOptional({
    example: false,
    default: false,
    description: 'Count what the run would delete and delete nothing.',
  })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}

/** The feedback line of a run: a dry run says so, and that nothing changed. */
export function dryRunFeedback(dryRun: boolean | undefined, feedback: string): string {
  return dryRun ? `dry run, nothing changed: ${feedback}` : feedback;
}

/** The verb for counts of deleted rows: "deleted", or "would delete" in a dry run. */
export function deletedWord(dryRun: boolean | undefined): string {
  return dryRun ? 'would delete' : 'deleted';
}
