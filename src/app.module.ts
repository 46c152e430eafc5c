import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessModule } from './access/access.module';
import { Cmi5Module } from './cmi5/cmi5.module';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions, prepareDatabase } from './database/data-source';
import { checkpointSqliteInBackground } from './database/sqlite-checkpoints';
import { serializeSqliteTransactions } from './database/sqlite-transactions';
import { pendingMigrationCount, runMigrations } from './database/migrate';
import { HealthController } from './health/health.controller';
import { JobTypesModule } from './job-types/job-types.module';
import { JobsModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { XapiAboutModule } from './xapi/about/about.module';
import { XapiActivitiesModule } from './xapi/activities/activities.module';
import { XapiAgentsModule } from './xapi/agents/agents.module';
import { XapiDocumentsModule } from './xapi/documents/xapi-documents.module';
import { StatementsModule } from './xapi/statements/statements.module';

/** Feature modules of the product; job types are listed in JobTypesModule. */
const FEATURES = [
  LoggingModule,
  AccessModule,
  StatementsModule,
  XapiDocumentsModule,
  XapiActivitiesModule,
  XapiAgentsModule,
  XapiAboutModule,
  Cmi5Module,
  JobsModule,
  JobTypesModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: async () => ({
            ...dataSourceOptions(await prepareDatabase(config.db)),
            // A configuration fault is not cured by waiting: no connection retries for it.
            toRetry: (err: unknown) => !(err instanceof ConfigError),
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            serializeSqliteTransactions(dataSource);
            if (config.dbMigrate) await runMigrations(dataSource);
            else if (await pendingMigrationCount(dataSource)) {
              await dataSource.destroy();
              throw new ConfigError(
                'DB_MIGRATE is false and the database schema is not up to date: run `npm run migration:run` or start once without DB_MIGRATE=false.',
              );
            }
            await checkpointSqliteInBackground(dataSource);
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
