import { MigrationInterface, QueryRunner } from 'typeorm';

export class StoreVoidMarks1796526664752 implements MigrationInterface {
  name = 'StoreVoidMarks1796526664752';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_790b2968701a6ff5ff38323776"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_stores" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, "deleting_at" datetime(3), "records_version" integer NOT NULL DEFAULT (0), "void_marks" integer NOT NULL DEFAULT (0), "void_marks_cleared" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_stores"("id", "slug", "name", "created_at", "updated_at", "deleting_at", "records_version") SELECT "id", "slug", "name", "created_at", "updated_at", "deleting_at", "records_version" FROM "stores"`,
    );
    await queryRunner.query(`DROP TABLE "stores"`);
    await queryRunner.query(`ALTER TABLE "temporary_stores" RENAME TO "stores"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_790b2968701a6ff5ff38323776" ON "stores" ("slug") `,
    );
    // Stores that already hold a voiding statement whose target is not stored.
    await queryRunner.query(
      `UPDATE "stores" SET "void_marks" = 1 WHERE EXISTS (SELECT 1 FROM "statements" v WHERE v."store_id" = "stores"."id" AND v."void_target" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "statements" t WHERE t."store_id" = v."store_id" AND t."statement_id" = v."void_target"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_790b2968701a6ff5ff38323776"`);
    await queryRunner.query(`ALTER TABLE "stores" RENAME TO "temporary_stores"`);
    await queryRunner.query(
      `CREATE TABLE "stores" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, "deleting_at" datetime(3), "records_version" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "stores"("id", "slug", "name", "created_at", "updated_at", "deleting_at", "records_version") SELECT "id", "slug", "name", "created_at", "updated_at", "deleting_at", "records_version" FROM "temporary_stores"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_stores"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_790b2968701a6ff5ff38323776" ON "stores" ("slug") `,
    );
  }
}
