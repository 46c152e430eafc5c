import { ABOUT_CHECKS } from './about.checks';
import { ACTIVITIES_CHECKS } from './activities.checks';
import { AGENTS_CHECKS } from './agents.checks';
import { ALTERNATE_SYNTAX_CHECKS } from './alternate-syntax.checks';
import { AUTHENTICATION_CHECKS } from './authentication.checks';
import { Check, SECTIONS } from './check';
import { ACTIVITY_PROFILE_CHECKS, AGENT_PROFILE_CHECKS, STATE_CHECKS } from './documents.checks';
import { STATEMENTS_ATTACHMENTS_CHECKS } from './statements-attachments.checks';
import { STATEMENTS_CONFLICTS_CHECKS } from './statements-conflicts.checks';
import { STATEMENTS_FORMATS_CHECKS } from './statements-formats.checks';
import { STATEMENTS_PAGING_CHECKS } from './statements-paging.checks';
import { STATEMENTS_QUERY_CHECKS } from './statements-query.checks';
import { STATEMENTS_READ_CHECKS } from './statements-read.checks';
import { STATEMENTS_VOIDING_CHECKS } from './statements-voiding.checks';
import { STATEMENTS_WRITE_CHECKS } from './statements-write.checks';
import { VERSION_HEADER_CHECKS } from './version-header.checks';

export { Check, CheckFailed, SECTIONS, SectionName } from './check';

/** Every built-in check, in section order. */
export const BUILT_IN_CHECKS: readonly Check[] = [
  ...ABOUT_CHECKS,
  ...AUTHENTICATION_CHECKS,
  ...STATEMENTS_WRITE_CHECKS,
  ...STATEMENTS_READ_CHECKS,
  ...STATEMENTS_QUERY_CHECKS,
  ...STATEMENTS_FORMATS_CHECKS,
  ...STATEMENTS_VOIDING_CHECKS,
  ...STATEMENTS_PAGING_CHECKS,
  ...STATEMENTS_CONFLICTS_CHECKS,
  ...STATEMENTS_ATTACHMENTS_CHECKS,
  ...STATE_CHECKS,
  ...ACTIVITY_PROFILE_CHECKS,
  ...AGENT_PROFILE_CHECKS,
  ...ACTIVITIES_CHECKS,
  ...AGENTS_CHECKS,
  ...VERSION_HEADER_CHECKS,
  ...ALTERNATE_SYNTAX_CHECKS,
].sort((a, b) => SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section));
