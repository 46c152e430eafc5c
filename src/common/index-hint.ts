import { DataSource } from 'typeorm';

/**
 * The name of the index of `entity` on exactly these columns (property names, in order),
 * as its entity metadata declares it; undefined when there is none.
 */
export function indexNamed(
  dataSource: DataSource,
  entity: new () => object,
  columns: string[],
): string | undefined {
  return dataSource
    .getMetadata(entity)
    .indices.find(
      (i) =>
        i.columns.length === columns.length &&
        i.columns.every((c, n) => c.propertyName === columns[n]),
    )?.name;
}

/**
 * `<table> FORCE INDEX (...)` (MySQL/MariaDB) or `<table> INDEXED BY "..."` (SQLite): a
 * table reference for a statement that must walk this index whatever the statistics say.
 * MariaDB's estimate for `col IN (<hundreds of values>)` does not dive into the index, and
 * with statistics sampled after a bulk load it may prefer a full scan of the table to
 * hundreds of lookups, once per batch of a job.
 */
export function tableUsingIndex(
  dataSource: DataSource,
  entity: new () => object,
  columns: string[],
): string {
  const table = dataSource.getMetadata(entity).tableName;
  const index = indexNamed(dataSource, entity, columns);
  if (!index) throw new Error(`${table} has no index on (${columns.join(', ')})`);
  return ['mysql', 'mariadb'].includes(dataSource.options.type)
    ? `\`${table}\` FORCE INDEX (\`${index}\`)`
    : `"${table}" INDEXED BY "${index}"`;
}
