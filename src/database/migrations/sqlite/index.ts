// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795877031854 } from './1795877031854-Initial';

export const SQLITE_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795877031854];
