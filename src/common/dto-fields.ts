import { getMetadataStorage } from 'class-validator';

/**
 * The properties a DTO class validates (any class-validator decorator, its parents'
 * included): the fields it accepts, since the global pipe strips every other one.
 */
export function validatedFields(
  dto: abstract new (...args: any[]) => unknown,
): ReadonlySet<string> {
  let names = known.get(dto);
  if (names) return names;
  names = new Set<string>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    names.add(m.propertyName);
  }
  known.set(dto, names);
  return names;
}

/** Decorators run when a class is defined: a DTO's fields never change after, read once. */
const known = new WeakMap<object, Set<string>>();
