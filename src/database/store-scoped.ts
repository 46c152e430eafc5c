/**
 * Store-scoped data, declared by the module that owns each table, so that
 * stores-deletion and clearing cover every table without knowing them by name.
 */
export const XAPI_SERVICES = [
  'statements',
  'activities',
  'activity-profiles',
  'agents',
  'agent-profiles',
  'states',
] as const;
export type XapiService = (typeof XAPI_SERVICES)[number];

/** The common `service` param of jobs (jobs.md): one service, or `all` of them. */
export const SERVICE_PARAM_VALUES = ['all', ...XAPI_SERVICES] as const;
export type ServiceParam = (typeof SERVICE_PARAM_VALUES)[number];

/** An entity class, as decorators and TypeORM see it. */
export type EntityClass = new (...args: any[]) => unknown;

export interface StoreScopedTable {
  /** Entity class or table name. */
  entity: string | EntityClass;
  /** Column holding the store id. */
  storeColumn: string;
  /** Primary key column, for keyset paging during deletion. */
  idColumn: string;
  /** The xAPI service this table belongs to, when clearing may target it. */
  service?: XapiService;
  /** Column compared with an `until` cutoff when clearing. */
  storedColumn?: string;
  /**
   * Rows of this table belong to a row of another store-scoped table (index rows and
   * attachment parts of a statement): `column` holds the parent's id. They are deleted
   * with their parent (see deleteStoreRecords), never on their own by clearing.
   */
  belongsTo?: { parent: () => EntityClass; column: string };
  /**
   * Deletion order: lower first. Children (attachments, index rows) before
   * their parents (statements), and every table before the store row itself.
   */
  order: number;
}

const tables: StoreScopedTable[] = [];

export function registerStoreScopedTable(table: StoreScopedTable): void {
  tables.push(table);
}

/** Class decorator form: `@StoreScoped({ storeColumn: 'store_id', ... })` on an entity. */
export function StoreScoped(options: Omit<StoreScopedTable, 'entity'>): ClassDecorator {
  return (target) => registerStoreScopedTable({ ...options, entity: target as any });
}

export function storeScopedTables(): StoreScopedTable[] {
  return [...tables].sort((a, b) => a.order - b.order);
}
