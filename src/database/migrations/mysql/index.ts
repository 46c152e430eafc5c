// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795883237693 } from './1795883237693-Initial';

export const MYSQL_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795883237693];
