import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsString, registerDecorator, ValidationArguments } from 'class-validator';
import { DryRunParams } from '../../jobs/dry-run';
import { agentVid } from '../../xapi/agents/agent-identifier';
import { StatementValidator } from '../../xapi/validation/statement-validator';

/** The one validator's rules, without a Nest container (class-validator builds DTOs itself). */
const validator = new StatementValidator();

/**
 * Why a JSON-encoded agent param is not an identified xAPI Agent or Group, one
 * sentence per violation (path and message), or [] when it is one.
 */
export function agentParamProblems(raw: unknown): string[] {
  if (typeof raw !== 'string') return ['must be a JSON-encoded xAPI Agent or Group (a string)'];
  let actor: unknown;
  try {
    actor = JSON.parse(raw);
  } catch {
    return ['must be a JSON-encoded xAPI Agent or Group: it is not JSON'];
  }
  const violations = validator.validateActor(actor, '2.0.0', 'agent');
  if (violations.length) return violations.map((v) => `${v.path}: ${v.message}`);
  if (!agentVid(actor)) {
    return ['agent: an anonymous Group has no identifier to delete; name its members one by one'];
  }
  return [];
}

function IsIdentifiedXapiActor(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIdentifiedXapiActor',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => agentParamProblems(value).length === 0,
        defaultMessage: (args?: ValidationArguments) => agentParamProblems(args?.value).join('; '),
      },
    });
}

/** Params of an agent-deletion job (jobs.md); `store` and the schedule are the engine's. */
export class AgentDeletionParams extends DryRunParams {
  @ApiProperty({
    example: '{"mbox":"mailto:learner@example.com"}',
    description:
      'JSON-encoded xAPI Agent or identified Group whose statements, states, agent profiles and records go.',
  })
  @IsString({ message: 'agent must be a JSON-encoded xAPI Agent or Group (a string)' })
  @IsIdentifiedXapiActor()
  agent: string;

  @ApiProperty({
    example: false,
    description: 'true: the same for every agent linked to the same person.',
  })
  @IsBoolean()
  person: boolean;
}
