import { createHash } from 'crypto';

/** The properties that identify an agent or group (its inverse functional identifiers). */
export const AGENT_IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

/** The inverse functional identifier of an xAPI agent or identified group. */
export type AgentIfi =
  | { kind: 'mbox'; value: string }
  | { kind: 'mbox_sha1sum'; value: string }
  | { kind: 'openid'; value: string }
  | { kind: 'account'; homePage: string; name: string };

/** The agent's identifier, or null when it has none (an anonymous group) or several. */
export function agentIfi(agent: unknown): AgentIfi | null {
  if (!agent || typeof agent !== 'object') return null;
  const a = agent as Record<string, any>;
  const found: AgentIfi[] = [];
  if (typeof a.mbox === 'string') found.push({ kind: 'mbox', value: a.mbox });
  if (typeof a.mbox_sha1sum === 'string')
    found.push({ kind: 'mbox_sha1sum', value: a.mbox_sha1sum.toLowerCase() });
  if (typeof a.openid === 'string') found.push({ kind: 'openid', value: a.openid });
  if (
    a.account &&
    typeof a.account === 'object' &&
    typeof a.account.homePage === 'string' &&
    typeof a.account.name === 'string'
  ) {
    found.push({ kind: 'account', homePage: a.account.homePage, name: a.account.name });
  }
  return found.length === 1 ? found[0] : null;
}

/**
 * A canonical string key for an agent identifier, used for look-ups and indexes:
 * `mbox::mailto:a@b.c`, `mbox_sha1sum::<hex>`, `openid::<uri>`, `account::<homePage>::<name>`.
 * Longer keys are shortened to a hash so that they fit an indexed varchar(255).
 */
export function agentVid(agent: unknown): string | null {
  const ifi = agentIfi(agent);
  if (!ifi) return null;
  const key =
    ifi.kind === 'account' ? `account::${ifi.homePage}::${ifi.name}` : `${ifi.kind}::${ifi.value}`;
  return key.length <= 255 ? key : `sha256::${createHash('sha256').update(key).digest('hex')}`;
}
