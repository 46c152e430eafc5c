import { MigrationInterface, QueryRunner } from 'typeorm';

export class StatementsPseudonymizedIndex1796162800425 implements MigrationInterface {
  name = 'StatementsPseudonymizedIndex1796162800425';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_54101d5a42a09d46d53fe00045" ON "statements" ("store_id", "pseudonymized", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_54101d5a42a09d46d53fe00045"`);
  }
}
