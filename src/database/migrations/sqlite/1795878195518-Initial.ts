import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795878195518 implements MigrationInterface {
  name = 'Initial1795878195518';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "clients" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "username" varchar(255) NOT NULL, "password_hash" varchar(255) NOT NULL, "store_id" integer NOT NULL, "permissions" json NOT NULL, "pipeline" json NOT NULL, "expires_at" datetime(3), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_2a850b0972b11500683fe49b3c" ON "clients" ("slug") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d36a2e9970193364184a721ae9" ON "clients" ("store_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "connections" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(255) NOT NULL, "type" varchar(10) NOT NULL, "endpoint" varchar(2048), "username" varchar(255), "password_encrypted" text, "version" varchar(10), "folder" varchar(1024), "prefix" varchar(255), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "persons" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "created_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b99d91c7284736e56198f44bc8" ON "persons" ("store_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "stores" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_790b2968701a6ff5ff38323776" ON "stores" ("slug") `,
    );
    await queryRunner.query(
      `CREATE TABLE "jobs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "type" varchar(50) NOT NULL, "store_id" integer, "client" varchar(100) NOT NULL, "replay" boolean NOT NULL DEFAULT (0), "repeat" varchar(20) NOT NULL, "date" varchar(40), "time" varchar(5), "minute" smallint, "week_day" smallint, "month_day" smallint, "month" smallint, "timezone" varchar(64), "params" json NOT NULL, "state" json, "running" boolean NOT NULL DEFAULT (0), "ran" integer NOT NULL DEFAULT (0), "success" boolean, "started_at" datetime(3), "completed_at" datetime(3), "next_run_at" datetime(3), "feedback" text, "progress" json, "lease_owner" varchar(64), "lease_until" datetime(3), "fire_at" datetime(3), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b2e973f56250d9153770d121a8" ON "jobs" ("store_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_859c1843f3867e448e52303767" ON "jobs" ("next_run_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7c485848779d49b5f66d7c20ed" ON "jobs" ("type", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "logs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "level" smallint NOT NULL, "type" varchar(20) NOT NULL, "store_id" integer, "job_id" integer, "event" varchar(20), "success" boolean, "message" text NOT NULL, "data" json, "stored" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_10d65a4fb56f62db29ed1b1459" ON "logs" ("level") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_497c51060d7ed6da9c94dd9110" ON "logs" ("store_id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_24787747117fc9fadefdd16419" ON "logs" ("stored") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_ae8d268c1b38314e3e97dc094f" ON "logs" ("job_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "agents" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "vid" varchar(255) NOT NULL, "agent" json NOT NULL, "person_id" integer, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e1539c3bcbb0a23bdcec85cf1a" ON "agents" ("person_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_30fa41c3ee9a51508425f160bc" ON "agents" ("store_id", "vid") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_30fa41c3ee9a51508425f160bc"`);
    await queryRunner.query(`DROP INDEX "IDX_e1539c3bcbb0a23bdcec85cf1a"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`DROP INDEX "IDX_ae8d268c1b38314e3e97dc094f"`);
    await queryRunner.query(`DROP INDEX "IDX_24787747117fc9fadefdd16419"`);
    await queryRunner.query(`DROP INDEX "IDX_497c51060d7ed6da9c94dd9110"`);
    await queryRunner.query(`DROP INDEX "IDX_10d65a4fb56f62db29ed1b1459"`);
    await queryRunner.query(`DROP TABLE "logs"`);
    await queryRunner.query(`DROP INDEX "IDX_7c485848779d49b5f66d7c20ed"`);
    await queryRunner.query(`DROP INDEX "IDX_859c1843f3867e448e52303767"`);
    await queryRunner.query(`DROP INDEX "IDX_b2e973f56250d9153770d121a8"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
    await queryRunner.query(`DROP INDEX "IDX_790b2968701a6ff5ff38323776"`);
    await queryRunner.query(`DROP TABLE "stores"`);
    await queryRunner.query(`DROP INDEX "IDX_b99d91c7284736e56198f44bc8"`);
    await queryRunner.query(`DROP TABLE "persons"`);
    await queryRunner.query(`DROP TABLE "connections"`);
    await queryRunner.query(`DROP INDEX "IDX_d36a2e9970193364184a721ae9"`);
    await queryRunner.query(`DROP INDEX "IDX_2a850b0972b11500683fe49b3c"`);
    await queryRunner.query(`DROP TABLE "clients"`);
  }
}
