// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795880934240 } from './1795880934240-Initial';

export const SQLITE_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795880934240];
