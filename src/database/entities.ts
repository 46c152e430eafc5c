import { Client } from '../access/client.entity';
import { Connection } from '../access/connection.entity';
import { Person } from '../access/person.entity';
import { Store } from '../access/store.entity';
import { LogEntry } from '../logging/log-entry.entity';
import { Agent } from '../xapi/agents/agent.entity';
import { Activity } from '../xapi/activities/activity.entity';
import { Attachment } from '../xapi/statements/entities/attachment.entity';
import { StatementActivity } from '../xapi/statements/entities/statement-activity.entity';
import { StatementAgent } from '../xapi/statements/entities/statement-agent.entity';
import { Statement } from '../xapi/statements/entities/statement.entity';
import { VocabEntry } from '../xapi/statements/entities/vocab.entity';

/** Every entity of the product; the app, the migration generator and the drift test share it. */
export const ENTITIES = [Store, Client, Connection, Person, Agent, LogEntry];
// xapi-statements
(ENTITIES as unknown[]).push(
  Statement,
  StatementAgent,
  StatementActivity,
  Attachment,
  VocabEntry,
  Activity,
);
