import { Column, ColumnOptions } from 'typeorm';

/** A millisecond-precision UTC timestamp, the same on SQLite and MySQL. */
export function TimestampColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'datetime', precision: 3, ...options });
}

/** JSON kept as text, portable across both drivers. */
export function JsonColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'json', ...options });
}
