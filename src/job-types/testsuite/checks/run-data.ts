import { createHash, randomBytes, randomUUID } from 'crypto';
import { agentVid } from '../../../xapi/agents/agent-identifier';

/** Domain of every IRI, mailbox and account a testsuite run makes up. */
export const TESTSUITE_HOST = 'testsuite.lrs-jobs.example.com';

/**
 * The data one run creates, named so that it cannot meet anyone else's: activity,
 * verb and type IRIs under a run-specific base, agents with run-specific identifiers,
 * statements under the run's registrations. The cleanup removes exactly this.
 */
export class RunData {
  readonly token = randomBytes(6).toString('hex');
  readonly iriBase = `http://${TESTSUITE_HOST}/run/${this.token}/`;
  readonly registration = randomUUID();
  readonly registrations = new Set<string>([this.registration]);
  readonly statementIds = new Set<string>();
  readonly agentVids = new Set<string>();
  /** Every document a check wrote (resource and query): deleted over xAPI at the end. */
  readonly documents: { resource: string; query: Record<string, string> }[] = [];

  activity(name: string): string {
    return `${this.iriBase}activities/${name}`;
  }

  verb(name: string): { id: string; display: Record<string, string> } {
    return { id: `${this.iriBase}verbs/${name}`, display: { 'en-US': name } };
  }

  activityType(name: string): string {
    return `${this.iriBase}types/${name}`;
  }

  /** A fresh registration of this run (cleaned up with the others). */
  newRegistration(): string {
    const r = randomUUID();
    this.registrations.add(r);
    return r;
  }

  /** A fresh statement id of this run. */
  statementId(): string {
    const id = randomUUID();
    this.statementIds.add(id);
    return id;
  }

  /** An agent of this run, identified by the chosen inverse functional identifier. */
  agent(
    name: string,
    ifi: 'mbox' | 'mbox_sha1sum' | 'openid' | 'account' = 'mbox',
  ): Record<string, any> {
    const mbox = `mailto:${name}-${this.token}@${TESTSUITE_HOST}`;
    const agent: Record<string, any> = { objectType: 'Agent', name: `Testsuite ${name}` };
    if (ifi === 'mbox') agent.mbox = mbox;
    if (ifi === 'mbox_sha1sum') agent.mbox_sha1sum = createHash('sha1').update(mbox).digest('hex');
    if (ifi === 'openid') agent.openid = `${this.iriBase}openid/${name}`;
    if (ifi === 'account') agent.account = { homePage: this.iriBase, name };
    this.remember(agent);
    return agent;
  }

  /** Records an agent or group (and its members) made up by a check, for the cleanup. */
  remember(agent: Record<string, any>) {
    const vid = agentVid(agent);
    if (vid) this.agentVids.add(vid);
    if (Array.isArray(agent.member)) agent.member.forEach((m: any) => this.remember(m));
  }
}
