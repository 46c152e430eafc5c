import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../../access/client.entity';
import { XapiDocumentsModule } from '../../xapi/documents/xapi-documents.module';
import { AdlSuiteRunner } from './adl-suite.runner';
import { BuiltInChecksRunner } from './built-in-checks.runner';
import { TestsuiteCleanup } from './testsuite-cleanup';
import { TestsuiteHandler } from './testsuite.handler';

/** The testsuite job type: conformance checks of a client's xAPI endpoint. */
@Module({
  imports: [TypeOrmModule.forFeature([Client]), XapiDocumentsModule],
  providers: [TestsuiteHandler, BuiltInChecksRunner, AdlSuiteRunner, TestsuiteCleanup],
})
export class TestsuiteModule {}
