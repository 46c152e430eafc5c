import { MigrationInterface, QueryRunner } from 'typeorm';

export class StatementsPseudonymizedIndex1796164584051 implements MigrationInterface {
  name = 'StatementsPseudonymizedIndex1796164584051';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`IDX_3ed38ceec78d0d232a7f25d7fb\` ON \`statements\` (\`store_id\`, \`pseudonymized\`, \`id\`, \`stored\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_3ed38ceec78d0d232a7f25d7fb\` ON \`statements\``);
  }
}
