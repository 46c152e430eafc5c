import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795878195518 implements MigrationInterface {
  name = 'Initial1795878195518';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`clients\` (\`id\` int NOT NULL AUTO_INCREMENT, \`slug\` varchar(100) NOT NULL, \`name\` varchar(255) NOT NULL, \`username\` varchar(255) NOT NULL, \`password_hash\` varchar(255) NOT NULL, \`store_id\` int NOT NULL, \`permissions\` json NOT NULL, \`pipeline\` json NOT NULL, \`expires_at\` datetime(3) NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_2a850b0972b11500683fe49b3c\` (\`slug\`), INDEX \`IDX_d36a2e9970193364184a721ae9\` (\`store_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`connections\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(255) NOT NULL, \`type\` varchar(10) NOT NULL, \`endpoint\` varchar(2048) NULL, \`username\` varchar(255) NULL, \`password_encrypted\` text NULL, \`version\` varchar(10) NULL, \`folder\` varchar(1024) NULL, \`prefix\` varchar(255) NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`persons\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`IDX_b99d91c7284736e56198f44bc8\` (\`store_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`stores\` (\`id\` int NOT NULL AUTO_INCREMENT, \`slug\` varchar(100) NOT NULL, \`name\` varchar(255) NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_790b2968701a6ff5ff38323776\` (\`slug\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`jobs\` (\`id\` int NOT NULL AUTO_INCREMENT, \`type\` varchar(50) NOT NULL, \`store_id\` int NULL, \`client\` varchar(100) NOT NULL, \`replay\` tinyint NOT NULL DEFAULT 0, \`repeat\` varchar(20) NOT NULL, \`date\` varchar(40) NULL, \`time\` varchar(5) NULL, \`minute\` smallint NULL, \`week_day\` smallint NULL, \`month_day\` smallint NULL, \`month\` smallint NULL, \`timezone\` varchar(64) NULL, \`params\` json NOT NULL, \`state\` json NULL, \`running\` tinyint NOT NULL DEFAULT 0, \`ran\` int NOT NULL DEFAULT '0', \`success\` tinyint NULL, \`started_at\` datetime(3) NULL, \`completed_at\` datetime(3) NULL, \`next_run_at\` datetime(3) NULL, \`feedback\` text NULL, \`progress\` json NULL, \`lease_owner\` varchar(64) NULL, \`lease_until\` datetime(3) NULL, \`fire_at\` datetime(3) NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, INDEX \`IDX_b2e973f56250d9153770d121a8\` (\`store_id\`), INDEX \`IDX_859c1843f3867e448e52303767\` (\`next_run_at\`), INDEX \`IDX_7c485848779d49b5f66d7c20ed\` (\`type\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`logs\` (\`id\` int NOT NULL AUTO_INCREMENT, \`level\` smallint NOT NULL, \`type\` varchar(20) NOT NULL, \`store_id\` int NULL, \`job_id\` int NULL, \`event\` varchar(20) NULL, \`success\` tinyint NULL, \`message\` text NOT NULL, \`data\` json NULL, \`stored\` datetime(3) NOT NULL, INDEX \`IDX_10d65a4fb56f62db29ed1b1459\` (\`level\`), INDEX \`IDX_497c51060d7ed6da9c94dd9110\` (\`store_id\`), INDEX \`IDX_24787747117fc9fadefdd16419\` (\`stored\`), INDEX \`IDX_ae8d268c1b38314e3e97dc094f\` (\`job_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`agents\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`vid\` varchar(255) NOT NULL, \`agent\` json NOT NULL, \`person_id\` int NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, INDEX \`IDX_e1539c3bcbb0a23bdcec85cf1a\` (\`person_id\`), UNIQUE INDEX \`IDX_30fa41c3ee9a51508425f160bc\` (\`store_id\`, \`vid\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_30fa41c3ee9a51508425f160bc\` ON \`agents\``);
    await queryRunner.query(`DROP INDEX \`IDX_e1539c3bcbb0a23bdcec85cf1a\` ON \`agents\``);
    await queryRunner.query(`DROP TABLE \`agents\``);
    await queryRunner.query(`DROP INDEX \`IDX_ae8d268c1b38314e3e97dc094f\` ON \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_24787747117fc9fadefdd16419\` ON \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_497c51060d7ed6da9c94dd9110\` ON \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_10d65a4fb56f62db29ed1b1459\` ON \`logs\``);
    await queryRunner.query(`DROP TABLE \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_7c485848779d49b5f66d7c20ed\` ON \`jobs\``);
    await queryRunner.query(`DROP INDEX \`IDX_859c1843f3867e448e52303767\` ON \`jobs\``);
    await queryRunner.query(`DROP INDEX \`IDX_b2e973f56250d9153770d121a8\` ON \`jobs\``);
    await queryRunner.query(`DROP TABLE \`jobs\``);
    await queryRunner.query(`DROP INDEX \`IDX_790b2968701a6ff5ff38323776\` ON \`stores\``);
    await queryRunner.query(`DROP TABLE \`stores\``);
    await queryRunner.query(`DROP INDEX \`IDX_b99d91c7284736e56198f44bc8\` ON \`persons\``);
    await queryRunner.query(`DROP TABLE \`persons\``);
    await queryRunner.query(`DROP TABLE \`connections\``);
    await queryRunner.query(`DROP INDEX \`IDX_d36a2e9970193364184a721ae9\` ON \`clients\``);
    await queryRunner.query(`DROP INDEX \`IDX_2a850b0972b11500683fe49b3c\` ON \`clients\``);
    await queryRunner.query(`DROP TABLE \`clients\``);
  }
}
