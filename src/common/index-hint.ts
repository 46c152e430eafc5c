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
 * indexNamed() by database column names (as the @StoreScoped registry gives them);
 * undefined for a table without an entity or without such an index.
 */
export function indexOnColumns(
  dataSource: DataSource,
  entity: string | (new (...args: any[]) => unknown),
  columns: string[],
): string | undefined {
  if (typeof entity === 'string' || !dataSource.hasMetadata(entity)) return undefined;
  const meta = dataSource.getMetadata(entity);
  const properties = columns.map((c) => meta.findColumnWithDatabaseName(c)?.propertyName);
  if (properties.some((p) => p === undefined)) return undefined;
  return indexNamed(dataSource, entity as new () => object, properties as string[]);
}

/** Whether this data source is MySQL/MariaDB (index hints differ from SQLite's). */
function isMysql(dataSource: DataSource): boolean {
  return ['mysql', 'mariadb'].includes(dataSource.options.type);
}

/** The hint that follows a table reference to make it walk the index named `index`. */
export function indexHint(dataSource: DataSource, index: string): string {
  return isMysql(dataSource) ? `FORCE INDEX (\`${index}\`)` : `INDEXED BY "${index}"`;
}

/** The hint that follows a table reference to make it walk its primary key (rowid). */
export function primaryKeyHint(dataSource: DataSource): string {
  return isMysql(dataSource) ? 'FORCE INDEX (PRIMARY)' : 'NOT INDEXED';
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
  return `${dataSource.driver.escape(table)} ${indexHint(dataSource, index)}`;
}

/**
 * `DELETE ... FROM <table>` made to walk the index named `index` (append `WHERE ...`):
 * MySQL/MariaDB take an index hint only in the multi-table form, SQLite after the name.
 */
export function deleteUsingIndex(dataSource: DataSource, table: string, index: string): string {
  const name = dataSource.driver.escape(table);
  const hint = indexHint(dataSource, index);
  return isMysql(dataSource) ? `DELETE d FROM ${name} d ${hint}` : `DELETE FROM ${name} ${hint}`;
}
