import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessModule } from './access/access.module';
import { Cmi5Module } from './cmi5/cmi5.module';
import { AppConfig, loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions, prepareDatabase } from './database/data-source';
import { checkpointSqliteInBackground } from './database/sqlite-checkpoints';
import { serializeSqliteTransactions } from './database/sqlite-transactions';
import { runMigrations } from './database/migrate';
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
          useFactory: async () => dataSourceOptions(await prepareDatabase(config.db)),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            serializeSqliteTransactions(dataSource);
            if (config.dbMigrate) await runMigrations(dataSource);
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
