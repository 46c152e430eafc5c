import { Injectable } from '@nestjs/common';

/**
 * Limits of the pull and push transports. One instance per application; tests shorten
 * the delays through `app.get(TransferSettings)`.
 */
@Injectable()
export class TransferSettings {
  /** Tries of one request that meets 429, 5xx, a timeout or a connection error. */
  attempts = 5;
  /** First backoff pause; doubled each retry, with full jitter. */
  baseDelayMs = 500;
  /** No pause is longer than this, whatever Retry-After says. */
  maxDelayMs = 30_000;
  /** One request that gets no answer within this is a timeout. */
  timeoutMs = 30_000;
  /** Statements per POST to a remote LRS. */
  pushBatch = 500;
  /** `limit` of each GET page from a remote LRS. */
  pullLimit = 500;
  /** Records per batch read from or written to a file. */
  fileBatch = 1000;
}
