// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795883004841 } from './1795883004841-Initial';
import { StoreDeletingMark1796162531070 } from './1796162531070-StoreDeletingMark';

export const MYSQL_MIGRATIONS: (new () => MigrationInterface)[] = [
  Initial1795883004841,
  StoreDeletingMark1796162531070,
];
