import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795883237693 implements MigrationInterface {
  name = 'Initial1795883237693';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`clients\` (\`id\` int NOT NULL AUTO_INCREMENT, \`slug\` varchar(100) NOT NULL, \`name\` varchar(255) NOT NULL, \`username\` varchar(255) NOT NULL, \`password_hash\` varchar(255) NOT NULL, \`store_id\` int NOT NULL, \`permissions\` json NOT NULL, \`pipeline\` json NOT NULL, \`expires_at\` datetime(3) NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_2a850b0972b11500683fe49b3c\` (\`slug\`), INDEX \`IDX_d36a2e9970193364184a721ae9\` (\`store_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`cmi5_tokens\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`client_id\` int NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`secret_hash\` varchar(64) NULL, \`agent\` json NOT NULL, \`agent_vid\` varchar(255) NOT NULL, \`activity_id\` varchar(2048) NOT NULL, \`registration\` varchar(36) NULL, \`fetched_at\` datetime(3) NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`IDX_d7cd7f1651e6c5340248ec25b2\` (\`client_id\`), UNIQUE INDEX \`IDX_c5ea7b98385ab3375c69991df6\` (\`token_hash\`), INDEX \`IDX_a093a183e20d564b1b49f9689b\` (\`created_at\`), INDEX \`IDX_cd61cc56c8715a941193469f64\` (\`store_id\`, \`created_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
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
      `CREATE TABLE \`logs\` (\`id\` int NOT NULL AUTO_INCREMENT, \`level\` smallint NOT NULL, \`type\` varchar(20) NOT NULL, \`store_id\` int NULL, \`job_id\` int NULL, \`event\` varchar(20) NULL, \`success\` tinyint NULL, \`message\` text NOT NULL, \`data\` json NULL, \`stored\` datetime(3) NOT NULL, INDEX \`IDX_10d65a4fb56f62db29ed1b1459\` (\`level\`), INDEX \`IDX_497c51060d7ed6da9c94dd9110\` (\`store_id\`), INDEX \`IDX_24787747117fc9fadefdd16419\` (\`stored\`), INDEX \`IDX_ae8d268c1b38314e3e97dc094f\` (\`job_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`agents\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`vid\` varchar(255) NOT NULL, \`agent\` json NOT NULL, \`person_id\` int NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, INDEX \`IDX_e1539c3bcbb0a23bdcec85cf1a\` (\`person_id\`), UNIQUE INDEX \`IDX_30fa41c3ee9a51508425f160bc\` (\`store_id\`, \`vid\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`activity_profiles\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`context_key\` varchar(40) NOT NULL, \`doc_key\` varchar(40) NOT NULL, \`content\` json NOT NULL, \`content_type\` varchar(255) NOT NULL, \`etag\` varchar(40) NOT NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, \`activity_id\` varchar(2048) NOT NULL, \`profile_id\` varchar(2048) NOT NULL, INDEX \`IDX_f647b056df6b7723289353c85c\` (\`store_id\`, \`stored\`), INDEX \`IDX_ac9b726647a5b24735ecc07983\` (\`store_id\`, \`context_key\`, \`updated\`), UNIQUE INDEX \`IDX_8e4c18be015bc4a4fb20d2d638\` (\`store_id\`, \`doc_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`agent_profiles\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`context_key\` varchar(40) NOT NULL, \`doc_key\` varchar(40) NOT NULL, \`content\` json NOT NULL, \`content_type\` varchar(255) NOT NULL, \`etag\` varchar(40) NOT NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, \`agent_vid\` varchar(255) NOT NULL, \`agent\` json NOT NULL, \`profile_id\` varchar(2048) NOT NULL, INDEX \`IDX_84305cf852f27042f28c241e33\` (\`store_id\`, \`stored\`), INDEX \`IDX_c3e1dc8426e50d498db18b9171\` (\`store_id\`, \`agent_vid\`), INDEX \`IDX_25b24a3ceeb7f16a90763d3589\` (\`store_id\`, \`context_key\`, \`updated\`), UNIQUE INDEX \`IDX_6eb547f4b092bb7251af788d6d\` (\`store_id\`, \`doc_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`states\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`context_key\` varchar(40) NOT NULL, \`doc_key\` varchar(40) NOT NULL, \`content\` json NOT NULL, \`content_type\` varchar(255) NOT NULL, \`etag\` varchar(40) NOT NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, \`activity_id\` varchar(2048) NOT NULL, \`agent_vid\` varchar(255) NOT NULL, \`agent\` json NOT NULL, \`registration\` varchar(36) NULL, \`state_id\` varchar(2048) NOT NULL, INDEX \`IDX_5c31ba33362c7634f2cfd17168\` (\`store_id\`, \`stored\`), INDEX \`IDX_f888b6856b41dd76928170c493\` (\`store_id\`, \`agent_vid\`), INDEX \`IDX_e1762c0135b1b4e254d78ffc55\` (\`store_id\`, \`context_key\`, \`updated\`), UNIQUE INDEX \`IDX_70bbad071d92963db778b543e6\` (\`store_id\`, \`doc_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`activities\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`activity_id\` varchar(255) NOT NULL, \`definition\` json NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_3ded8e6b21271ecc92f92ea137\` (\`store_id\`, \`activity_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`attachments\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`statement_row_id\` int NOT NULL, \`sha2\` varchar(64) NOT NULL, \`content_type\` varchar(255) NOT NULL, \`length\` int NOT NULL, \`part\` int NOT NULL, \`content\` blob NOT NULL, \`stored\` datetime(3) NOT NULL, INDEX \`IDX_a012f6f7f2994f30b7d4962019\` (\`store_id\`, \`sha2\`), INDEX \`IDX_74f436c9fa89377ccc0258e3f2\` (\`statement_row_id\`, \`sha2\`, \`part\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`statement_activities\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`statement_row_id\` int NOT NULL, \`activity_id\` varchar(255) NOT NULL, \`role\` varchar(20) NOT NULL, INDEX \`IDX_024a8f6b00990f9ffe1d2b7295\` (\`statement_row_id\`), INDEX \`IDX_86dd373e5c5b3b5101d53efaa3\` (\`store_id\`, \`activity_id\`, \`statement_row_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`statement_agents\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`statement_row_id\` int NOT NULL, \`vid\` varchar(255) NOT NULL, \`role\` varchar(20) NOT NULL, INDEX \`IDX_77a91222602406084ee32fed1b\` (\`statement_row_id\`), INDEX \`IDX_5058ceb599ca1bfc86578cd727\` (\`store_id\`, \`vid\`, \`statement_row_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`statements\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`statement_id\` varchar(36) NOT NULL, \`data\` json NOT NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, \`validated\` tinyint NOT NULL DEFAULT 0, \`valid\` tinyint NOT NULL DEFAULT 0, \`voided\` tinyint NOT NULL DEFAULT 0, \`pseudonymized\` tinyint NOT NULL DEFAULT 0, \`client_id\` int NULL, \`verb_id\` varchar(255) NOT NULL, \`activity_id\` varchar(255) NULL, \`registration\` varchar(36) NULL, \`statement_ref\` varchar(36) NULL, \`void_target\` varchar(36) NULL, \`voided_by\` varchar(36) NULL, INDEX \`IDX_a6f5002ac52f9e9665c8ab2c5a\` (\`client_id\`), INDEX \`IDX_e820565c1eac3a10b5153f8c6d\` (\`store_id\`, \`validated\`, \`id\`), INDEX \`IDX_6a16e0028a0230ea469e7541da\` (\`store_id\`, \`statement_ref\`), INDEX \`IDX_057e8a9d8c8cf69abc78a3b8ef\` (\`store_id\`, \`void_target\`), INDEX \`IDX_d47c50002ed66fe31e590a1242\` (\`store_id\`, \`registration\`, \`id\`), INDEX \`IDX_0b41b197ae6bd722b023f60420\` (\`store_id\`, \`activity_id\`, \`id\`), INDEX \`IDX_9deb7f97675ed5370f65161a2c\` (\`store_id\`, \`verb_id\`, \`id\`), INDEX \`IDX_9b1e26a71c866dc8f79cd6ba10\` (\`store_id\`, \`stored\`), INDEX \`IDX_802f0169135425c29a849602a0\` (\`store_id\`, \`id\`), UNIQUE INDEX \`IDX_22c3b0be67845084021500a26b\` (\`store_id\`, \`statement_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`vocab\` (\`id\` int NOT NULL AUTO_INCREMENT, \`store_id\` int NOT NULL, \`kind\` varchar(20) NOT NULL, \`iri\` varchar(255) NOT NULL, \`display\` json NULL, \`stored\` datetime(3) NOT NULL, \`updated\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_1c8d9914345d0794642e176ee1\` (\`store_id\`, \`kind\`, \`iri\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_1c8d9914345d0794642e176ee1\` ON \`vocab\``);
    await queryRunner.query(`DROP TABLE \`vocab\``);
    await queryRunner.query(`DROP INDEX \`IDX_22c3b0be67845084021500a26b\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_802f0169135425c29a849602a0\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_9b1e26a71c866dc8f79cd6ba10\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_9deb7f97675ed5370f65161a2c\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_0b41b197ae6bd722b023f60420\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_d47c50002ed66fe31e590a1242\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_057e8a9d8c8cf69abc78a3b8ef\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_6a16e0028a0230ea469e7541da\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_e820565c1eac3a10b5153f8c6d\` ON \`statements\``);
    await queryRunner.query(`DROP INDEX \`IDX_a6f5002ac52f9e9665c8ab2c5a\` ON \`statements\``);
    await queryRunner.query(`DROP TABLE \`statements\``);
    await queryRunner.query(
      `DROP INDEX \`IDX_5058ceb599ca1bfc86578cd727\` ON \`statement_agents\``,
    );
    await queryRunner.query(
      `DROP INDEX \`IDX_77a91222602406084ee32fed1b\` ON \`statement_agents\``,
    );
    await queryRunner.query(`DROP TABLE \`statement_agents\``);
    await queryRunner.query(
      `DROP INDEX \`IDX_86dd373e5c5b3b5101d53efaa3\` ON \`statement_activities\``,
    );
    await queryRunner.query(
      `DROP INDEX \`IDX_024a8f6b00990f9ffe1d2b7295\` ON \`statement_activities\``,
    );
    await queryRunner.query(`DROP TABLE \`statement_activities\``);
    await queryRunner.query(`DROP INDEX \`IDX_74f436c9fa89377ccc0258e3f2\` ON \`attachments\``);
    await queryRunner.query(`DROP INDEX \`IDX_a012f6f7f2994f30b7d4962019\` ON \`attachments\``);
    await queryRunner.query(`DROP TABLE \`attachments\``);
    await queryRunner.query(`DROP INDEX \`IDX_3ded8e6b21271ecc92f92ea137\` ON \`activities\``);
    await queryRunner.query(`DROP TABLE \`activities\``);
    await queryRunner.query(`DROP INDEX \`IDX_70bbad071d92963db778b543e6\` ON \`states\``);
    await queryRunner.query(`DROP INDEX \`IDX_e1762c0135b1b4e254d78ffc55\` ON \`states\``);
    await queryRunner.query(`DROP INDEX \`IDX_f888b6856b41dd76928170c493\` ON \`states\``);
    await queryRunner.query(`DROP INDEX \`IDX_5c31ba33362c7634f2cfd17168\` ON \`states\``);
    await queryRunner.query(`DROP TABLE \`states\``);
    await queryRunner.query(`DROP INDEX \`IDX_6eb547f4b092bb7251af788d6d\` ON \`agent_profiles\``);
    await queryRunner.query(`DROP INDEX \`IDX_25b24a3ceeb7f16a90763d3589\` ON \`agent_profiles\``);
    await queryRunner.query(`DROP INDEX \`IDX_c3e1dc8426e50d498db18b9171\` ON \`agent_profiles\``);
    await queryRunner.query(`DROP INDEX \`IDX_84305cf852f27042f28c241e33\` ON \`agent_profiles\``);
    await queryRunner.query(`DROP TABLE \`agent_profiles\``);
    await queryRunner.query(
      `DROP INDEX \`IDX_8e4c18be015bc4a4fb20d2d638\` ON \`activity_profiles\``,
    );
    await queryRunner.query(
      `DROP INDEX \`IDX_ac9b726647a5b24735ecc07983\` ON \`activity_profiles\``,
    );
    await queryRunner.query(
      `DROP INDEX \`IDX_f647b056df6b7723289353c85c\` ON \`activity_profiles\``,
    );
    await queryRunner.query(`DROP TABLE \`activity_profiles\``);
    await queryRunner.query(`DROP INDEX \`IDX_30fa41c3ee9a51508425f160bc\` ON \`agents\``);
    await queryRunner.query(`DROP INDEX \`IDX_e1539c3bcbb0a23bdcec85cf1a\` ON \`agents\``);
    await queryRunner.query(`DROP TABLE \`agents\``);
    await queryRunner.query(`DROP INDEX \`IDX_ae8d268c1b38314e3e97dc094f\` ON \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_24787747117fc9fadefdd16419\` ON \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_497c51060d7ed6da9c94dd9110\` ON \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_10d65a4fb56f62db29ed1b1459\` ON \`logs\``);
    await queryRunner.query(`DROP TABLE \`logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_790b2968701a6ff5ff38323776\` ON \`stores\``);
    await queryRunner.query(`DROP TABLE \`stores\``);
    await queryRunner.query(`DROP INDEX \`IDX_b99d91c7284736e56198f44bc8\` ON \`persons\``);
    await queryRunner.query(`DROP TABLE \`persons\``);
    await queryRunner.query(`DROP TABLE \`connections\``);
    await queryRunner.query(`DROP INDEX \`IDX_cd61cc56c8715a941193469f64\` ON \`cmi5_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_a093a183e20d564b1b49f9689b\` ON \`cmi5_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_c5ea7b98385ab3375c69991df6\` ON \`cmi5_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_d7cd7f1651e6c5340248ec25b2\` ON \`cmi5_tokens\``);
    await queryRunner.query(`DROP TABLE \`cmi5_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_d36a2e9970193364184a721ae9\` ON \`clients\``);
    await queryRunner.query(`DROP INDEX \`IDX_2a850b0972b11500683fe49b3c\` ON \`clients\``);
    await queryRunner.query(`DROP TABLE \`clients\``);
  }
}
