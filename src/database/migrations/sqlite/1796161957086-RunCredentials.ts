import { MigrationInterface, QueryRunner } from 'typeorm';

export class RunCredentials1796161957086 implements MigrationInterface {
  name = 'RunCredentials1796161957086';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "run_credentials" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "client_id" integer NOT NULL, "job_id" integer, "username" varchar(64) NOT NULL, "secret_hash" varchar(64) NOT NULL, "expires_at" datetime(3) NOT NULL, "created_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_9dec67ed62edb71317b1e15910" ON "run_credentials" ("job_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_9650884addca52ed2cdfc2f176" ON "run_credentials" ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_6f11231003847f247ea83bf34b" ON "run_credentials" ("client_id", "username") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_6f11231003847f247ea83bf34b"`);
    await queryRunner.query(`DROP INDEX "IDX_9650884addca52ed2cdfc2f176"`);
    await queryRunner.query(`DROP INDEX "IDX_9dec67ed62edb71317b1e15910"`);
    await queryRunner.query(`DROP TABLE "run_credentials"`);
  }
}
