// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795878188144 } from './1795878188144-Initial';

export const MYSQL_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795878188144];
