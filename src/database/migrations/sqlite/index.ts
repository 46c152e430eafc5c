// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795878757132 } from './1795878757132-Initial';

export const SQLITE_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795878757132];
