/** Store and client slugs: lower-case letters, digits, `-` and `_`, not starting with a sign. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-_]*$/;
export const SLUG_MESSAGE =
  '$property must start with a lower-case letter or a digit, then only a-z, 0-9, "-" or "_"';
