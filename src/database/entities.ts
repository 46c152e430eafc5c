import { Client } from '../access/client.entity';
import { Cmi5Token } from '../cmi5/cmi5-token.entity';
import { Connection } from '../access/connection.entity';
import { Person } from '../access/person.entity';
import { RunCredential } from '../access/run-credentials/run-credential.entity';
import { Store } from '../access/store.entity';
import { Job } from '../jobs/job.entity';
import { LogEntry } from '../logging/log-entry.entity';
import { Agent } from '../xapi/agents/agent.entity';
import { ActivityProfile } from '../xapi/documents/activity-profile.entity';
import { AgentProfile } from '../xapi/documents/agent-profile.entity';
import { State } from '../xapi/documents/state.entity';
import { Activity } from '../xapi/activities/activity.entity';
import { Attachment } from '../xapi/statements/entities/attachment.entity';
import { StatementActivity } from '../xapi/statements/entities/statement-activity.entity';
import { StatementAgent } from '../xapi/statements/entities/statement-agent.entity';
import { Statement } from '../xapi/statements/entities/statement.entity';
import { VocabEntry } from '../xapi/statements/entities/vocab.entity';
import { VoidWait } from '../xapi/statements/entities/void-wait.entity';

/** Every entity of the product; the app, the migration generator and the drift test share it. */
export const ENTITIES = [
  Store,
  Client,
  RunCredential,
  Connection,
  Person,
  Agent,
  LogEntry,
  Statement,
  VoidWait,
  StatementAgent,
  StatementActivity,
  Attachment,
  Activity,
  VocabEntry,
  State,
  ActivityProfile,
  AgentProfile,
  Cmi5Token,
  Job,
];
