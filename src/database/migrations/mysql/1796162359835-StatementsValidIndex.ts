import { MigrationInterface, QueryRunner } from 'typeorm';

export class StatementsValidIndex1796162359835 implements MigrationInterface {
  name = 'StatementsValidIndex1796162359835';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`IDX_6caab6927ca801dc459b28cd59\` ON \`statements\` (\`store_id\`, \`valid\`, \`id\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_6caab6927ca801dc459b28cd59\` ON \`statements\``);
  }
}
