import { MigrationInterface, QueryRunner } from 'typeorm';

export class VoidWaits1796526894601 implements MigrationInterface {
  name = 'VoidWaits1796526894601';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`void_waits\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`voider_row_id\` int NOT NULL, \`target\` varchar(36) NOT NULL, INDEX \`IDX_c1ea92b5d08fdd62b9706f7381\` (\`voider_row_id\`), INDEX \`IDX_c231bc1a871155eece29b87413\` (\`store_id\`, \`target\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    // The voiding statements already stored whose target is not.
    await queryRunner.query(
      `INSERT INTO \`void_waits\` (\`store_id\`, \`voider_row_id\`, \`target\`) SELECT v.\`store_id\`, v.\`id\`, v.\`void_target\` FROM \`statements\` v WHERE v.\`void_target\` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \`statements\` t WHERE t.\`store_id\` = v.\`store_id\` AND t.\`statement_id\` = v.\`void_target\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_c231bc1a871155eece29b87413\` ON \`void_waits\``);
    await queryRunner.query(`DROP INDEX \`IDX_c1ea92b5d08fdd62b9706f7381\` ON \`void_waits\``);
    await queryRunner.query(`DROP TABLE \`void_waits\``);
  }
}
