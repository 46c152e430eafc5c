// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795880903450 } from './1795880903450-Initial';

export const MYSQL_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795880903450];
