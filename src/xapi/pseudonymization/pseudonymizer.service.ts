import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import {
  PseudonymSettings,
  pseudonymizeActor,
  pseudonymizeStatement,
  pseudonymVid,
} from './pseudonymizer';

/**
 * The pseudonymizer with the deployment's XAPI_PSEUDO_HASH_KEY and
 * XAPI_PSEUDO_HOMEPAGE: what the pseudo job stores and what push sends.
 */
@Injectable()
export class Pseudonymizer {
  readonly settings: PseudonymSettings;

  constructor(config: AppConfig) {
    this.settings = { hashKey: config.pseudoHashKey, homePage: config.pseudoHomepage };
  }

  /** A pseudonymized copy of the statement (see pseudonymizeStatement). */
  statement<T extends Record<string, any>>(statement: T): T {
    return pseudonymizeStatement(statement, this.settings);
  }

  /** The pseudonymized agent or group. */
  actor(actor: Record<string, unknown>): Record<string, unknown> {
    return pseudonymizeActor(actor, this.settings) as Record<string, unknown>;
  }

  /** agentVid() of the pseudonym of the agent whose agentVid() is `vid`. */
  vid(vid: string): string {
    return pseudonymVid(vid, this.settings);
  }
}
