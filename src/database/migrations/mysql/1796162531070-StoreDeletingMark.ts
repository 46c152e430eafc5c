import { MigrationInterface, QueryRunner } from 'typeorm';

export class StoreDeletingMark1796162531070 implements MigrationInterface {
  name = 'StoreDeletingMark1796162531070';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`stores\` ADD \`deleting_at\` datetime(3) NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`stores\` DROP COLUMN \`deleting_at\``);
  }
}
