import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { BootstrapService } from './access/bootstrap.service';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false });
  configureApp(app);
  await app.listen(config.port);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.get(BootstrapService).announce(port);
}

main().catch((err) => {
  // A configuration fault found at start-up (the database's schema): one line, no stack.
  console.error(err instanceof ConfigError ? `Configuration error: ${err.message}` : err);
  process.exit(1);
});
