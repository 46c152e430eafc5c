import { MigrationInterface, QueryRunner } from 'typeorm';

export class StatementsPseudonymizedStoredIndex1796166762325 implements MigrationInterface {
  name = 'StatementsPseudonymizedStoredIndex1796166762325';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_54101d5a42a09d46d53fe00045\` ON \`statements\``);
    await queryRunner.query(
      `CREATE INDEX \`IDX_3ed38ceec78d0d232a7f25d7fb\` ON \`statements\` (\`store_id\`, \`pseudonymized\`, \`id\`, \`stored\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_3ed38ceec78d0d232a7f25d7fb\` ON \`statements\``);
    await queryRunner.query(
      `CREATE INDEX \`IDX_54101d5a42a09d46d53fe00045\` ON \`statements\` (\`store_id\`, \`pseudonymized\`, \`id\`)`,
    );
  }
}
