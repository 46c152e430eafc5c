import { NotFoundException } from '@nestjs/common';

const MAX_ID = 2_147_483_647;

/**
 * A record's numeric id from a URL path. Anything but a positive integer names no
 * record: 404, like an unknown id, with a message that says why.
 */
export function parsePathId(raw: string, what: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_ID) {
    throw new NotFoundException(
      `No ${what} ${JSON.stringify(raw.slice(0, 40))}: ${what} ids are positive integers.`,
    );
  }
  return Number(raw);
}
