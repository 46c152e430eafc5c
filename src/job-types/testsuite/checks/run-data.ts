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
  /** At most this many registrations per run: a cleanup after a crash derives them all. */
  static readonly MAX_REGISTRATIONS = 1000;

  readonly iriBase: string;
  readonly registration: string;
  readonly registrations = new Set<string>();
  readonly statementIds = new Set<string>();
  readonly agentVids = new Set<string>();
  /** Every document a check wrote (resource and query): deleted over xAPI at the end. */
  readonly documents: { resource: string; query: Record<string, string> }[] = [];

  /** `token` names the run; a cleanup of a crashed run rebuilds its RunData from it. */
  constructor(readonly token: string = randomBytes(6).toString('hex')) {
    this.iriBase = RunData.iriBaseOf(token);
    this.registration = this.newRegistration();
  }

  static iriBaseOf(token: string): string {
    return `http://${TESTSUITE_HOST}/run/${token}/`;
  }

  /** The n-th registration of a run: derived from its token, so that it can be found again. */
  static registrationOf(token: string, n: number): string {
    const h = createHash('sha256').update(`${token}:registration:${n}`).digest('hex');
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Every registration a run of this token may have used. */
  static allRegistrations(token: string): string[] {
    return Array.from({ length: RunData.MAX_REGISTRATIONS }, (_, n) =>
      RunData.registrationOf(token, n),
    );
  }

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
    if (this.registrations.size >= RunData.MAX_REGISTRATIONS) {
      throw new Error(`a run may use ${RunData.MAX_REGISTRATIONS} registrations at most`);
    }
    const r = RunData.registrationOf(this.token, this.registrations.size);
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
