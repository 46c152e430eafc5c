import { Injectable } from '@nestjs/common';

/**
 * Who still uses a connection. Modules that reference connections (the jobs
 * engine) register a checker; the connections API refuses to delete a
 * connection in use (409).
 */
export type ConnectionUsageChecker = (connectionId: number) => Promise<string | null>;

@Injectable()
export class ConnectionUsage {
  private readonly checkers: ConnectionUsageChecker[] = [];

  register(checker: ConnectionUsageChecker) {
    this.checkers.push(checker);
  }

  /** A sentence naming the first user found (e.g. "job 12 (pull)"), or null when free. */
  async usedBy(connectionId: number): Promise<string | null> {
    for (const check of this.checkers) {
      const user = await check(connectionId);
      if (user) return user;
    }
    return null;
  }
}
