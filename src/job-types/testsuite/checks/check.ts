import { XapiVersion } from '../../../xapi/common/xapi-endpoint';
import { XapiProbe } from './xapi-probe';

/** The named sections of the built-in checks, in the order they run. */
export const SECTIONS = [
  'about',
  'authentication',
  'statements-write',
  'statements-read',
  'statements-query',
  'statements-formats',
  'statements-voiding',
  'statements-paging',
  'statements-conflicts',
  'statements-attachments',
  'state',
  'activity-profile',
  'agent-profile',
  'activities',
  'agents',
  'version-header',
  'alternate-syntax',
] as const;
export type SectionName = (typeof SECTIONS)[number];

/**
 * One conformance check: a stable id (`<section>.<rule>`, never renumbered), a
 * one-line description of the xAPI MUST rule it checks, and the requests that check it.
 */
export interface Check {
  id: string;
  section: SectionName;
  description: string;
  /** The xAPI versions whose rules include it; every version when omitted. */
  versions?: XapiVersion[];
  run(x: XapiProbe): Promise<void>;
}

/** A failed expectation: what was expected and what came back (the probe adds what was sent). */
export class CheckFailed extends Error {
  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`expected ${expected}, got ${got}`);
  }
}

/** Builds the checks of one section with their ids prefixed by the section name. */
export function section(
  name: SectionName,
  checks: { id: string; description: string; versions?: XapiVersion[]; run: Check['run'] }[],
): Check[] {
  return checks.map((c) => ({ ...c, id: `${name}.${c.id}`, section: name }));
}
