import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isRetryableConflict, isUniqueViolation } from '../common/db-errors';
import { AppConfig } from '../config/app-config';
import { Client, PERMISSIONS } from './client.entity';
import { hashSecret, randomSecret } from './passwords';
import { Store } from './store.entity';

/**
 * On a database without any client: the store `default` and the client `admin`
 * with every permission (service.md, Bootstrap). Nothing when a client exists.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');
  /** The base endpoint path of the admin client, when this start created it. */
  created: { endpoint: string; username: string; password: string } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * Idempotent when instances start together: the one whose insert loses (a duplicate
   * `default` store or `admin` client, a deadlock, a Galera certification failure)
   * looks again and finds the client the other one created.
   */
  async onApplicationBootstrap() {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createFirstClient();
      } catch (err) {
        if (attempt >= 5 || !(isUniqueViolation(err) || isRetryableConflict(err))) throw err;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 100));
      }
    }
  }

  private async createFirstClient() {
    await this.dataSource.transaction(async (em) => {
      if ((await em.count(Client)) > 0) return;
      const now = new Date();
      let store = await em.findOne(Store, { where: { slug: 'default' } });
      if (!store) {
        store = await em.save(
          em.create(Store, {
            slug: 'default',
            name: 'Default store',
            createdAt: now,
            updatedAt: now,
          }),
        );
      }
      const password = this.config.adminPassword ?? randomSecret();
      await em.save(
        em.create(Client, {
          slug: 'admin',
          name: 'Administrator',
          username: this.config.adminUsername,
          passwordHash: await hashSecret(password),
          storeId: store.id,
          permissions: [...PERMISSIONS],
          pipeline: {},
          expiresAt: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      this.created = { endpoint: '/api/admin', username: this.config.adminUsername, password };
      const shown = this.config.adminPassword ? '(from ADMIN_PASSWORD)' : password;
      // Printed once, on stdout, for the operator.
      process.stdout.write(
        `Created store "default" and client "admin": username ${this.config.adminUsername}, password ${shown}\n`,
      );
    });
  }

  /** The admin base endpoint as clients reach it: under PUBLIC_URL when set, as theirs are. */
  adminEndpoint(port: number): string {
    return `${this.config.publicUrl ?? `http://localhost:${port}`}/api/admin`;
  }

  /** Prints the admin base endpoint once the server listens on `port`. */
  announce(port: number) {
    const line = `Admin base endpoint: ${this.adminEndpoint(port)}`;
    this.logger.log(line);
    process.stdout.write(`${line}\n`);
  }
}
