// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795883004841 } from './1795883004841-Initial';
import { JobLeaseTokenVersion1796162666731 } from './1796162666731-JobLeaseTokenVersion';

export const MYSQL_MIGRATIONS: (new () => MigrationInterface)[] = [
  Initial1795883004841,
  JobLeaseTokenVersion1796162666731,
];
