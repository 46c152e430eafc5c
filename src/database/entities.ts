import { Client } from '../access/client.entity';
import { Connection } from '../access/connection.entity';
import { Person } from '../access/person.entity';
import { Store } from '../access/store.entity';
import { Job } from '../jobs/job.entity';
import { LogEntry } from '../logging/log-entry.entity';
import { Agent } from '../xapi/agents/agent.entity';

/** Every entity of the product; the app, the migration generator and the drift test share it. */
export const ENTITIES = [Store, Client, Connection, Person, Agent, LogEntry, Job];
