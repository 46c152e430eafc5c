import { registerDecorator, ValidationArguments } from 'class-validator';

export const USERNAME_MAX_LENGTH = 255;

/**
 * What is wrong with a client's HTTP Basic username, or null: 1 to 255 characters and no
 * ":" (Basic splits user and password at the first one, so such a user could never log in).
 */
export function usernameFault(username: unknown): string | null {
  if (typeof username !== 'string') return 'must be a string';
  if (!username) return 'must not be empty';
  if (username.length > USERNAME_MAX_LENGTH) {
    return `must be at most ${USERNAME_MAX_LENGTH} characters`;
  }
  if (username.includes(':')) return 'must not contain ":" (HTTP Basic)';
  return null;
}

/** A client's username, by usernameFault(): the clients API and ADMIN_USERNAME share it. */
export function IsClientUsername(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isClientUsername',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => usernameFault(value) === null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} ${usernameFault(args.value)}`,
      },
    });
}
