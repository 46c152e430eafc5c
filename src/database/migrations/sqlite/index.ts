// Generated list: npm run migration:generate updates it.
import { MigrationInterface } from 'typeorm';
import { Initial1795883004841 } from './1795883004841-Initial';
import { RunCredentials1796161957086 } from './1796161957086-RunCredentials';
import { StatementsValidIndex1796162359835 } from './1796162359835-StatementsValidIndex';
import { StoreDeletingMark1796162531070 } from './1796162531070-StoreDeletingMark';
import { JobLeaseTokenVersion1796162666731 } from './1796162666731-JobLeaseTokenVersion';
import { StatementsPseudonymizedIndex1796164584051 } from './1796164584051-StatementsPseudonymizedIndex';
import { StoreRecordsVersion1796497943129 } from './1796497943129-StoreRecordsVersion';
import { VoidWaits1796526894601 } from './1796526894601-VoidWaits';

export const SQLITE_MIGRATIONS: (new () => MigrationInterface)[] = [
  Initial1795883004841,
  RunCredentials1796161957086,
  StatementsValidIndex1796162359835,
  StoreDeletingMark1796162531070,
  JobLeaseTokenVersion1796162666731,
  StatementsPseudonymizedIndex1796164584051,
  StoreRecordsVersion1796497943129,
  VoidWaits1796526894601,
];
