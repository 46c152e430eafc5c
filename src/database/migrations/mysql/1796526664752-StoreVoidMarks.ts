import { MigrationInterface, QueryRunner } from 'typeorm';

export class StoreVoidMarks1796526664752 implements MigrationInterface {
  name = 'StoreVoidMarks1796526664752';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`stores\` ADD \`void_marks\` int NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `ALTER TABLE \`stores\` ADD \`void_marks_cleared\` int NOT NULL DEFAULT '0'`,
    );
    // Stores that already hold a voiding statement whose target is not stored.
    await queryRunner.query(
      `UPDATE \`stores\` SET \`void_marks\` = 1 WHERE EXISTS (SELECT 1 FROM \`statements\` v WHERE v.\`store_id\` = \`stores\`.\`id\` AND v.\`void_target\` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \`statements\` t WHERE t.\`store_id\` = v.\`store_id\` AND t.\`statement_id\` = v.\`void_target\`))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`stores\` DROP COLUMN \`void_marks_cleared\``);
    await queryRunner.query(`ALTER TABLE \`stores\` DROP COLUMN \`void_marks\``);
  }
}
