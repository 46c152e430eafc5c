import { MigrationInterface, QueryRunner } from 'typeorm';

export class StorePendingVoids1796526192316 implements MigrationInterface {
  name = 'StorePendingVoids1796526192316';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`stores\` ADD \`pending_voids\` tinyint NOT NULL DEFAULT 0`,
    );
    // Stores that already hold a voiding statement whose target is not stored.
    await queryRunner.query(
      `UPDATE \`stores\` SET \`pending_voids\` = 1 WHERE EXISTS (SELECT 1 FROM \`statements\` v WHERE v.\`store_id\` = \`stores\`.\`id\` AND v.\`void_target\` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \`statements\` t WHERE t.\`store_id\` = v.\`store_id\` AND t.\`statement_id\` = v.\`void_target\`))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`stores\` DROP COLUMN \`pending_voids\``);
  }
}
