import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, raw } from 'express';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { validationExceptionFactory } from './common/errors';
import { addJobTypesToDocument, jobTypeModels } from './jobs/jobs-openapi';
import { JobTypeRegistry } from './jobs/job-type.registry';
import { SystemLogService } from './logging/system-log.service';

export const BODY_LIMIT = '50mb';

/** Everything main.ts and the e2e tests share: body parsing, validation, errors, Swagger. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  express.set('trust proxy', true);
  // JSON bodies parsed (any JSON value); every other type kept raw for the xAPI resources.
  const keepRaw = (req: any, _res: unknown, buf: Buffer) => (req.rawBody = buf);
  app.use(
    json({
      limit: BODY_LIMIT,
      strict: false,
      type: ['application/json', 'application/*+json'],
      verify: keepRaw,
    }),
  );
  app.use(raw({ limit: BODY_LIMIT, type: () => true }));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.useGlobalFilters(new AllExceptionsFilter(app.get(SystemLogService)));
  app.enableShutdownHooks();
  // Browser-launched content (cmi5, xAPI activities) calls the LRS from other origins.
  app.enableCors({
    origin: true,
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'X-Experience-API-Version',
      'If-Match',
      'If-None-Match',
      'Accept-Language',
    ],
    exposedHeaders: [
      'ETag',
      'Last-Modified',
      'X-Experience-API-Version',
      'X-Experience-API-Consistent-Through',
    ],
    maxAge: 600,
  });

  const doc = new DocumentBuilder()
    .setTitle('lrs-jobs')
    .setDescription(
      'xAPI Learning Record Store with a Jobs API. Every route under /api/{client} needs HTTP Basic ' +
        'credentials of that client.',
    )
    .setVersion('0.1.0')
    .addBasicAuth()
    .build();
  // Each job type gets its own routes and POST body, from the registry of types.
  const jobTypes = app.get(JobTypeRegistry, { strict: false });
  const document = SwaggerModule.createDocument(app, doc, {
    extraModels: jobTypeModels(jobTypes),
  });
  addJobTypesToDocument(document, jobTypes);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
