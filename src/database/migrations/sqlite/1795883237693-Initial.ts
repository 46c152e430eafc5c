import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795883237693 implements MigrationInterface {
  name = 'Initial1795883237693';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "clients" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "username" varchar(255) NOT NULL, "password_hash" varchar(255) NOT NULL, "store_id" integer NOT NULL, "permissions" json NOT NULL, "pipeline" json NOT NULL, "expires_at" datetime(3), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_2a850b0972b11500683fe49b3c" ON "clients" ("slug") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d36a2e9970193364184a721ae9" ON "clients" ("store_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "cmi5_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "client_id" integer NOT NULL, "token_hash" varchar(64) NOT NULL, "secret_hash" varchar(64), "agent" json NOT NULL, "agent_vid" varchar(255) NOT NULL, "activity_id" varchar(2048) NOT NULL, "registration" varchar(36), "fetched_at" datetime(3), "created_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d7cd7f1651e6c5340248ec25b2" ON "cmi5_tokens" ("client_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_c5ea7b98385ab3375c69991df6" ON "cmi5_tokens" ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_a093a183e20d564b1b49f9689b" ON "cmi5_tokens" ("created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cd61cc56c8715a941193469f64" ON "cmi5_tokens" ("store_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "connections" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(255) NOT NULL, "type" varchar(10) NOT NULL, "endpoint" varchar(2048), "username" varchar(255), "password_encrypted" text, "version" varchar(10), "folder" varchar(1024), "prefix" varchar(255), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "persons" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "created_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b99d91c7284736e56198f44bc8" ON "persons" ("store_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "stores" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_790b2968701a6ff5ff38323776" ON "stores" ("slug") `,
    );
    await queryRunner.query(
      `CREATE TABLE "logs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "level" smallint NOT NULL, "type" varchar(20) NOT NULL, "store_id" integer, "job_id" integer, "event" varchar(20), "success" boolean, "message" text NOT NULL, "data" json, "stored" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_10d65a4fb56f62db29ed1b1459" ON "logs" ("level") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_497c51060d7ed6da9c94dd9110" ON "logs" ("store_id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_24787747117fc9fadefdd16419" ON "logs" ("stored") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_ae8d268c1b38314e3e97dc094f" ON "logs" ("job_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "agents" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "vid" varchar(255) NOT NULL, "agent" json NOT NULL, "person_id" integer, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e1539c3bcbb0a23bdcec85cf1a" ON "agents" ("person_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_30fa41c3ee9a51508425f160bc" ON "agents" ("store_id", "vid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "activity_profiles" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "context_key" varchar(40) NOT NULL, "doc_key" varchar(40) NOT NULL, "content" json NOT NULL, "content_type" varchar(255) NOT NULL, "etag" varchar(40) NOT NULL, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL, "activity_id" varchar(2048) NOT NULL, "profile_id" varchar(2048) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_f647b056df6b7723289353c85c" ON "activity_profiles" ("store_id", "stored") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ac9b726647a5b24735ecc07983" ON "activity_profiles" ("store_id", "context_key", "updated") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_8e4c18be015bc4a4fb20d2d638" ON "activity_profiles" ("store_id", "doc_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "agent_profiles" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "context_key" varchar(40) NOT NULL, "doc_key" varchar(40) NOT NULL, "content" json NOT NULL, "content_type" varchar(255) NOT NULL, "etag" varchar(40) NOT NULL, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL, "agent_vid" varchar(255) NOT NULL, "agent" json NOT NULL, "profile_id" varchar(2048) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_84305cf852f27042f28c241e33" ON "agent_profiles" ("store_id", "stored") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_c3e1dc8426e50d498db18b9171" ON "agent_profiles" ("store_id", "agent_vid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_25b24a3ceeb7f16a90763d3589" ON "agent_profiles" ("store_id", "context_key", "updated") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_6eb547f4b092bb7251af788d6d" ON "agent_profiles" ("store_id", "doc_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "states" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "context_key" varchar(40) NOT NULL, "doc_key" varchar(40) NOT NULL, "content" json NOT NULL, "content_type" varchar(255) NOT NULL, "etag" varchar(40) NOT NULL, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL, "activity_id" varchar(2048) NOT NULL, "agent_vid" varchar(255) NOT NULL, "agent" json NOT NULL, "registration" varchar(36), "state_id" varchar(2048) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5c31ba33362c7634f2cfd17168" ON "states" ("store_id", "stored") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_f888b6856b41dd76928170c493" ON "states" ("store_id", "agent_vid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e1762c0135b1b4e254d78ffc55" ON "states" ("store_id", "context_key", "updated") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_70bbad071d92963db778b543e6" ON "states" ("store_id", "doc_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "activities" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "activity_id" varchar(255) NOT NULL, "definition" json, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_3ded8e6b21271ecc92f92ea137" ON "activities" ("store_id", "activity_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "attachments" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "statement_row_id" integer NOT NULL, "sha2" varchar(64) NOT NULL, "content_type" varchar(255) NOT NULL, "length" integer NOT NULL, "part" integer NOT NULL, "content" blob NOT NULL, "stored" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_a012f6f7f2994f30b7d4962019" ON "attachments" ("store_id", "sha2") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_74f436c9fa89377ccc0258e3f2" ON "attachments" ("statement_row_id", "sha2", "part") `,
    );
    await queryRunner.query(
      `CREATE TABLE "statement_activities" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "statement_row_id" integer NOT NULL, "activity_id" varchar(255) NOT NULL, "role" varchar(20) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_024a8f6b00990f9ffe1d2b7295" ON "statement_activities" ("statement_row_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_86dd373e5c5b3b5101d53efaa3" ON "statement_activities" ("store_id", "activity_id", "statement_row_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "statement_agents" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "statement_row_id" integer NOT NULL, "vid" varchar(255) NOT NULL, "role" varchar(20) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_77a91222602406084ee32fed1b" ON "statement_agents" ("statement_row_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5058ceb599ca1bfc86578cd727" ON "statement_agents" ("store_id", "vid", "statement_row_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "statements" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "statement_id" varchar(36) NOT NULL, "data" json NOT NULL, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL, "validated" boolean NOT NULL DEFAULT (0), "valid" boolean NOT NULL DEFAULT (0), "voided" boolean NOT NULL DEFAULT (0), "pseudonymized" boolean NOT NULL DEFAULT (0), "client_id" integer, "verb_id" varchar(255) NOT NULL, "activity_id" varchar(255), "registration" varchar(36), "statement_ref" varchar(36), "void_target" varchar(36), "voided_by" varchar(36))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_a6f5002ac52f9e9665c8ab2c5a" ON "statements" ("client_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e820565c1eac3a10b5153f8c6d" ON "statements" ("store_id", "validated", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6a16e0028a0230ea469e7541da" ON "statements" ("store_id", "statement_ref") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_057e8a9d8c8cf69abc78a3b8ef" ON "statements" ("store_id", "void_target") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d47c50002ed66fe31e590a1242" ON "statements" ("store_id", "registration", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_0b41b197ae6bd722b023f60420" ON "statements" ("store_id", "activity_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_9deb7f97675ed5370f65161a2c" ON "statements" ("store_id", "verb_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_9b1e26a71c866dc8f79cd6ba10" ON "statements" ("store_id", "stored") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_802f0169135425c29a849602a0" ON "statements" ("store_id", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_22c3b0be67845084021500a26b" ON "statements" ("store_id", "statement_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "vocab" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "store_id" integer NOT NULL, "kind" varchar(20) NOT NULL, "iri" varchar(255) NOT NULL, "display" json, "stored" datetime(3) NOT NULL, "updated" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_1c8d9914345d0794642e176ee1" ON "vocab" ("store_id", "kind", "iri") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_1c8d9914345d0794642e176ee1"`);
    await queryRunner.query(`DROP TABLE "vocab"`);
    await queryRunner.query(`DROP INDEX "IDX_22c3b0be67845084021500a26b"`);
    await queryRunner.query(`DROP INDEX "IDX_802f0169135425c29a849602a0"`);
    await queryRunner.query(`DROP INDEX "IDX_9b1e26a71c866dc8f79cd6ba10"`);
    await queryRunner.query(`DROP INDEX "IDX_9deb7f97675ed5370f65161a2c"`);
    await queryRunner.query(`DROP INDEX "IDX_0b41b197ae6bd722b023f60420"`);
    await queryRunner.query(`DROP INDEX "IDX_d47c50002ed66fe31e590a1242"`);
    await queryRunner.query(`DROP INDEX "IDX_057e8a9d8c8cf69abc78a3b8ef"`);
    await queryRunner.query(`DROP INDEX "IDX_6a16e0028a0230ea469e7541da"`);
    await queryRunner.query(`DROP INDEX "IDX_e820565c1eac3a10b5153f8c6d"`);
    await queryRunner.query(`DROP INDEX "IDX_a6f5002ac52f9e9665c8ab2c5a"`);
    await queryRunner.query(`DROP TABLE "statements"`);
    await queryRunner.query(`DROP INDEX "IDX_5058ceb599ca1bfc86578cd727"`);
    await queryRunner.query(`DROP INDEX "IDX_77a91222602406084ee32fed1b"`);
    await queryRunner.query(`DROP TABLE "statement_agents"`);
    await queryRunner.query(`DROP INDEX "IDX_86dd373e5c5b3b5101d53efaa3"`);
    await queryRunner.query(`DROP INDEX "IDX_024a8f6b00990f9ffe1d2b7295"`);
    await queryRunner.query(`DROP TABLE "statement_activities"`);
    await queryRunner.query(`DROP INDEX "IDX_74f436c9fa89377ccc0258e3f2"`);
    await queryRunner.query(`DROP INDEX "IDX_a012f6f7f2994f30b7d4962019"`);
    await queryRunner.query(`DROP TABLE "attachments"`);
    await queryRunner.query(`DROP INDEX "IDX_3ded8e6b21271ecc92f92ea137"`);
    await queryRunner.query(`DROP TABLE "activities"`);
    await queryRunner.query(`DROP INDEX "IDX_70bbad071d92963db778b543e6"`);
    await queryRunner.query(`DROP INDEX "IDX_e1762c0135b1b4e254d78ffc55"`);
    await queryRunner.query(`DROP INDEX "IDX_f888b6856b41dd76928170c493"`);
    await queryRunner.query(`DROP INDEX "IDX_5c31ba33362c7634f2cfd17168"`);
    await queryRunner.query(`DROP TABLE "states"`);
    await queryRunner.query(`DROP INDEX "IDX_6eb547f4b092bb7251af788d6d"`);
    await queryRunner.query(`DROP INDEX "IDX_25b24a3ceeb7f16a90763d3589"`);
    await queryRunner.query(`DROP INDEX "IDX_c3e1dc8426e50d498db18b9171"`);
    await queryRunner.query(`DROP INDEX "IDX_84305cf852f27042f28c241e33"`);
    await queryRunner.query(`DROP TABLE "agent_profiles"`);
    await queryRunner.query(`DROP INDEX "IDX_8e4c18be015bc4a4fb20d2d638"`);
    await queryRunner.query(`DROP INDEX "IDX_ac9b726647a5b24735ecc07983"`);
    await queryRunner.query(`DROP INDEX "IDX_f647b056df6b7723289353c85c"`);
    await queryRunner.query(`DROP TABLE "activity_profiles"`);
    await queryRunner.query(`DROP INDEX "IDX_30fa41c3ee9a51508425f160bc"`);
    await queryRunner.query(`DROP INDEX "IDX_e1539c3bcbb0a23bdcec85cf1a"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`DROP INDEX "IDX_ae8d268c1b38314e3e97dc094f"`);
    await queryRunner.query(`DROP INDEX "IDX_24787747117fc9fadefdd16419"`);
    await queryRunner.query(`DROP INDEX "IDX_497c51060d7ed6da9c94dd9110"`);
    await queryRunner.query(`DROP INDEX "IDX_10d65a4fb56f62db29ed1b1459"`);
    await queryRunner.query(`DROP TABLE "logs"`);
    await queryRunner.query(`DROP INDEX "IDX_790b2968701a6ff5ff38323776"`);
    await queryRunner.query(`DROP TABLE "stores"`);
    await queryRunner.query(`DROP INDEX "IDX_b99d91c7284736e56198f44bc8"`);
    await queryRunner.query(`DROP TABLE "persons"`);
    await queryRunner.query(`DROP TABLE "connections"`);
    await queryRunner.query(`DROP INDEX "IDX_cd61cc56c8715a941193469f64"`);
    await queryRunner.query(`DROP INDEX "IDX_a093a183e20d564b1b49f9689b"`);
    await queryRunner.query(`DROP INDEX "IDX_c5ea7b98385ab3375c69991df6"`);
    await queryRunner.query(`DROP INDEX "IDX_d7cd7f1651e6c5340248ec25b2"`);
    await queryRunner.query(`DROP TABLE "cmi5_tokens"`);
    await queryRunner.query(`DROP INDEX "IDX_d36a2e9970193364184a721ae9"`);
    await queryRunner.query(`DROP INDEX "IDX_2a850b0972b11500683fe49b3c"`);
    await queryRunner.query(`DROP TABLE "clients"`);
  }
}
