import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobLeaseTokenVersion1796162666731 implements MigrationInterface {
  name = 'JobLeaseTokenVersion1796162666731';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`jobs\` ADD \`lease_token\` varchar(32) NULL`);
    await queryRunner.query(`ALTER TABLE \`jobs\` ADD \`version\` int NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`jobs\` DROP COLUMN \`version\``);
    await queryRunner.query(`ALTER TABLE \`jobs\` DROP COLUMN \`lease_token\``);
  }
}
