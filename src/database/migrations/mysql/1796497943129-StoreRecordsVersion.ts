import { MigrationInterface, QueryRunner } from 'typeorm';

export class StoreRecordsVersion1796497943129 implements MigrationInterface {
  name = 'StoreRecordsVersion1796497943129';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`stores\` ADD \`records_version\` int NOT NULL DEFAULT '0'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`stores\` DROP COLUMN \`records_version\``);
  }
}
