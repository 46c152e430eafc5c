import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { isIanaTimezone } from '../../config/app-config';
import { Repeat, REPEATS } from '../job-type';

export type ScheduleField = 'date' | 'time' | 'minute' | 'week_day' | 'month_day' | 'month';

/** The schedule table of jobs.md: which params each repeat mode requires (and may use). */
export const REPEAT_FIELDS: Record<
  Repeat,
  { required: ScheduleField[]; optional: ScheduleField[] }
> = {
  now: { required: [], optional: [] },
  on: { required: ['date'], optional: ['time'] },
  everyMinute: { required: [], optional: [] },
  hourlyAt: { required: ['minute'], optional: [] },
  dailyAt: { required: ['time'], optional: [] },
  weeklyOn: { required: ['time', 'week_day'], optional: [] },
  monthlyOn: { required: ['time', 'month_day'], optional: [] },
  yearlyOn: { required: ['time', 'month_day', 'month'], optional: [] },
};

/** Does `repeat` use `field`? Params a repeat mode does not use are ignored, not rejected. */
export function usesField(repeat: unknown, field: ScheduleField): boolean {
  const rule = REPEAT_FIELDS[repeat as Repeat];
  return !!rule && (rule.required.includes(field) || rule.optional.includes(field));
}

function requiredFor(field: ScheduleField) {
  return (o: JobScheduleDto) => REPEAT_FIELDS[o.repeat]?.required.includes(field) ?? false;
}

/** Validate the field when the repeat mode requires it, or uses it and it is given. */
function checkedFor(field: ScheduleField) {
  return (o: JobScheduleDto) =>
    requiredFor(field)(o) ||
    (usesField(o.repeat, field) && o[field] !== undefined && o[field] !== null);
}

function required(field: ScheduleField) {
  return IsDefined({
    message: (args) =>
      `The ${field} field is required when repeat is ${(args.object as JobScheduleDto).repeat}.`,
  });
}

@ValidatorConstraint({ name: 'ianaTimezone' })
class IanaTimezoneConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && isIanaTimezone(value);
  }
  defaultMessage() {
    return 'timezone must be an IANA time zone such as Europe/Paris.';
  }
}

/** Longest day of each month in any year: 29 February exists (leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** yearlyOn: the day must exist in that month (31 April never comes; 29 February does). */
@ValidatorConstraint({ name: 'dayOfMonth' })
class DayOfMonthConstraint implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments) {
    const o = args.object as JobScheduleDto;
    if (o.repeat !== 'yearlyOn' || !Number.isInteger(o.month) || !Number.isInteger(value)) {
      return true;
    }
    const max = MONTH_DAYS[(o.month as number) - 1];
    return max === undefined || (value as number) <= max;
  }
  defaultMessage(args: ValidationArguments) {
    const o = args.object as JobScheduleDto;
    return `month_day ${String(args.value)} does not exist in month ${String(o.month)}.`;
  }
}

/** The schedule props shared by every job type (jobs.md, "Schedule"). */
export class JobScheduleDto {
  @ApiPropertyOptional({
    description: 'Set to true to (re)start the job as soon as possible, once.',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  replay?: boolean;

  @ApiProperty({ enum: REPEATS, example: 'dailyAt', description: 'When the job runs.' })
  @IsDefined({ message: 'The repeat field is required.' })
  @IsIn(REPEATS, { message: `repeat must be one of: ${REPEATS.join(', ')}.` })
  repeat: Repeat;

  @ApiPropertyOptional({
    description: 'ISO 8601 date (or date-time); required when repeat is on.',
    example: '2026-12-31',
  })
  @ValidateIf(checkedFor('date'))
  @required('date')
  @IsString({ message: 'date must be an ISO 8601 date.' })
  @IsISO8601({ strict: true }, { message: 'date must be an ISO 8601 date.' })
  date?: string | null;

  @ApiPropertyOptional({
    description:
      '`now` (the current time when saved) or HH:MM; required when repeat is dailyAt, weeklyOn, monthlyOn or yearlyOn.',
    example: '03:30',
  })
  @ValidateIf(checkedFor('time'))
  @required('time')
  @IsString({ message: 'time must be now or HH:MM.' })
  @Matches(/^(now|([01]\d|2[0-3]):[0-5]\d)$/, {
    message: 'time must be now or HH:MM (00:00-23:59).',
  })
  time?: string | null;

  @ApiPropertyOptional({ description: '0-59; required when repeat is hourlyAt.', example: 15 })
  @ValidateIf(checkedFor('minute'))
  @required('minute')
  @IsInt({ message: 'minute must be an integer between 0 and 59.' })
  @Min(0, { message: 'minute must be an integer between 0 and 59.' })
  @Max(59, { message: 'minute must be an integer between 0 and 59.' })
  minute?: number | null;

  @ApiPropertyOptional({
    description: '1 (Monday) to 7 (Sunday); required when repeat is weeklyOn.',
    example: 1,
  })
  @ValidateIf(checkedFor('week_day'))
  @required('week_day')
  @IsInt({ message: 'week_day must be an integer between 1 and 7.' })
  @Min(1, { message: 'week_day must be an integer between 1 and 7.' })
  @Max(7, { message: 'week_day must be an integer between 1 and 7.' })
  week_day?: number | null;

  @ApiPropertyOptional({
    description: '1-31; required when repeat is monthlyOn or yearlyOn.',
    example: 1,
  })
  @ValidateIf(checkedFor('month_day'))
  @required('month_day')
  @IsInt({ message: 'month_day must be an integer between 1 and 31.' })
  @Min(1, { message: 'month_day must be an integer between 1 and 31.' })
  @Max(31, { message: 'month_day must be an integer between 1 and 31.' })
  @Validate(DayOfMonthConstraint)
  month_day?: number | null;

  @ApiPropertyOptional({ description: '1-12; required when repeat is yearlyOn.', example: 6 })
  @ValidateIf(checkedFor('month'))
  @required('month')
  @IsInt({ message: 'month must be an integer between 1 and 12.' })
  @Min(1, { message: 'month must be an integer between 1 and 12.' })
  @Max(12, { message: 'month must be an integer between 1 and 12.' })
  month?: number | null;

  @ApiPropertyOptional({
    description: 'IANA time zone the times are read in; JOBS_TIMEZONE (UTC) when omitted.',
    example: 'Europe/Paris',
  })
  @IsOptional()
  @Validate(IanaTimezoneConstraint)
  timezone?: string | null;

  @ApiPropertyOptional({
    description:
      'Slug of a store. Whether it is required, optional (one job per store) or optional (every store) depends on the type.',
    example: 'default',
  })
  @IsOptional()
  @IsString({ message: 'store must be the slug of a store.' })
  store?: string | null;
}
