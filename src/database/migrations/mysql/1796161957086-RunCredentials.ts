import { MigrationInterface, QueryRunner } from 'typeorm';

export class RunCredentials1796161957086 implements MigrationInterface {
  name = 'RunCredentials1796161957086';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`run_credentials\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`client_id\` int NOT NULL, \`job_id\` int NULL, \`username\` varchar(64) NOT NULL, \`secret_hash\` varchar(64) NOT NULL, \`expires_at\` datetime(3) NOT NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`IDX_9dec67ed62edb71317b1e15910\` (\`job_id\`), INDEX \`IDX_9650884addca52ed2cdfc2f176\` (\`expires_at\`), UNIQUE INDEX \`IDX_6f11231003847f247ea83bf34b\` (\`client_id\`, \`username\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_6f11231003847f247ea83bf34b\` ON \`run_credentials\``);
    await queryRunner.query(`DROP INDEX \`IDX_9650884addca52ed2cdfc2f176\` ON \`run_credentials\``);
    await queryRunner.query(`DROP INDEX \`IDX_9dec67ed62edb71317b1e15910\` ON \`run_credentials\``);
    await queryRunner.query(`DROP TABLE \`run_credentials\``);
  }
}
