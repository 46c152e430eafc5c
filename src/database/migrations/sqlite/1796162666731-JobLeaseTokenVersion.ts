import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobLeaseTokenVersion1796162666731 implements MigrationInterface {
  name = 'JobLeaseTokenVersion1796162666731';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_7c485848779d49b5f66d7c20ed"`);
    await queryRunner.query(`DROP INDEX "IDX_859c1843f3867e448e52303767"`);
    await queryRunner.query(`DROP INDEX "IDX_b2e973f56250d9153770d121a8"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_jobs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "type" varchar(50) NOT NULL, "store_id" integer, "client" varchar(100) NOT NULL, "replay" boolean NOT NULL DEFAULT (0), "repeat" varchar(20) NOT NULL, "date" varchar(40), "time" varchar(5), "minute" smallint, "week_day" smallint, "month_day" smallint, "month" smallint, "timezone" varchar(64), "params" json NOT NULL, "state" json, "running" boolean NOT NULL DEFAULT (0), "ran" integer NOT NULL DEFAULT (0), "success" boolean, "started_at" datetime(3), "completed_at" datetime(3), "next_run_at" datetime(3), "feedback" text, "progress" json, "lease_owner" varchar(64), "lease_until" datetime(3), "fire_at" datetime(3), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, "lease_token" varchar(32), "version" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_jobs"("id", "type", "store_id", "client", "replay", "repeat", "date", "time", "minute", "week_day", "month_day", "month", "timezone", "params", "state", "running", "ran", "success", "started_at", "completed_at", "next_run_at", "feedback", "progress", "lease_owner", "lease_until", "fire_at", "created_at", "updated_at") SELECT "id", "type", "store_id", "client", "replay", "repeat", "date", "time", "minute", "week_day", "month_day", "month", "timezone", "params", "state", "running", "ran", "success", "started_at", "completed_at", "next_run_at", "feedback", "progress", "lease_owner", "lease_until", "fire_at", "created_at", "updated_at" FROM "jobs"`,
    );
    await queryRunner.query(`DROP TABLE "jobs"`);
    await queryRunner.query(`ALTER TABLE "temporary_jobs" RENAME TO "jobs"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_7c485848779d49b5f66d7c20ed" ON "jobs" ("type", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_859c1843f3867e448e52303767" ON "jobs" ("next_run_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b2e973f56250d9153770d121a8" ON "jobs" ("store_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_b2e973f56250d9153770d121a8"`);
    await queryRunner.query(`DROP INDEX "IDX_859c1843f3867e448e52303767"`);
    await queryRunner.query(`DROP INDEX "IDX_7c485848779d49b5f66d7c20ed"`);
    await queryRunner.query(`ALTER TABLE "jobs" RENAME TO "temporary_jobs"`);
    await queryRunner.query(
      `CREATE TABLE "jobs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "type" varchar(50) NOT NULL, "store_id" integer, "client" varchar(100) NOT NULL, "replay" boolean NOT NULL DEFAULT (0), "repeat" varchar(20) NOT NULL, "date" varchar(40), "time" varchar(5), "minute" smallint, "week_day" smallint, "month_day" smallint, "month" smallint, "timezone" varchar(64), "params" json NOT NULL, "state" json, "running" boolean NOT NULL DEFAULT (0), "ran" integer NOT NULL DEFAULT (0), "success" boolean, "started_at" datetime(3), "completed_at" datetime(3), "next_run_at" datetime(3), "feedback" text, "progress" json, "lease_owner" varchar(64), "lease_until" datetime(3), "fire_at" datetime(3), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "jobs"("id", "type", "store_id", "client", "replay", "repeat", "date", "time", "minute", "week_day", "month_day", "month", "timezone", "params", "state", "running", "ran", "success", "started_at", "completed_at", "next_run_at", "feedback", "progress", "lease_owner", "lease_until", "fire_at", "created_at", "updated_at") SELECT "id", "type", "store_id", "client", "replay", "repeat", "date", "time", "minute", "week_day", "month_day", "month", "timezone", "params", "state", "running", "ran", "success", "started_at", "completed_at", "next_run_at", "feedback", "progress", "lease_owner", "lease_until", "fire_at", "created_at", "updated_at" FROM "temporary_jobs"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_jobs"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_b2e973f56250d9153770d121a8" ON "jobs" ("store_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_859c1843f3867e448e52303767" ON "jobs" ("next_run_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7c485848779d49b5f66d7c20ed" ON "jobs" ("type", "id") `,
    );
  }
}
