import { Client } from '../access/client.entity';
import { Cmi5Token } from '../cmi5/cmi5-token.entity';
import { Connection } from '../access/connection.entity';
import { Person } from '../access/person.entity';
import { Store } from '../access/store.entity';
import { LogEntry } from '../logging/log-entry.entity';
import { Agent } from '../xapi/agents/agent.entity';
import { ActivityProfile } from '../xapi/documents/activity-profile.entity';
import { AgentProfile } from '../xapi/documents/agent-profile.entity';
import { State } from '../xapi/documents/state.entity';

/** Every entity of the product; the app, the migration generator and the drift test share it. */
export const ENTITIES = [
  Store,
  Client,
  Connection,
  Person,
  Agent,
  LogEntry,
  State,
  ActivityProfile,
  AgentProfile,
  Cmi5Token,
];
