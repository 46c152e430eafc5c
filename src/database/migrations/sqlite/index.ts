// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795879579930 } from './1795879579930-Initial';

export const SQLITE_MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795879579930];
