import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessModule } from './access/access.module';
import { AppConfig, loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions, prepareDatabase } from './database/data-source';
import { runMigrations } from './database/migrate';
import { HealthController } from './health/health.controller';
import { LogsDeletionModule } from './job-types/logs-deletion/logs-deletion.module';
import { StoresDeletionModule } from './job-types/stores-deletion/stores-deletion.module';
import { LoggingModule } from './logging/logging.module';
import { StatementsModule } from './xapi/statements/statements.module';

/** Feature modules of the product; job types are plain modules listed here too. */
const FEATURES = [LoggingModule, AccessModule, LogsDeletionModule, StoresDeletionModule];
// xapi-statements
(FEATURES as unknown[]).push(StatementsModule);

@Module({})
export class AppModule {
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: async () => dataSourceOptions(await prepareDatabase(config.db)),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            if (config.dbMigrate) await runMigrations(dataSource);
            return dataSource;
          },
        }),
        ScheduleModule.forRoot(),
        ...FEATURES,
      ],
      controllers: [HealthController],
    };
  }
}
