import { getMetadataStorage } from 'class-validator';

/**
 * The properties a DTO class validates (any class-validator decorator, its parents'
 * included): the fields it accepts, since the global pipe strips every other one.
 */
export function validatedFields(dto: abstract new (...args: any[]) => unknown): Set<string> {
  const names = new Set<string>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    names.add(m.propertyName);
  }
  return names;
}
