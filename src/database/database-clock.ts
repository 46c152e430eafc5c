import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How often the offset to the database's clock is measured again. */
const RESYNC_MS = 30_000;

/**
 * The one source of "now" for due times, claims and leases: the database's clock,
 * so that instances whose own clocks disagree behave alike. The offset is measured
 * with one query (half the round trip counted) and kept fresh by `refresh()`.
 */
@Injectable()
export class DatabaseClock {
  private offsetMs = 0;
  private syncedAt = -Infinity;

  constructor(private readonly dataSource: DataSource) {}

  /** The database's current time, estimated locally. */
  now(): Date {
    return new Date(this.localNow() + this.offsetMs);
  }

  /** How far the database's clock is ahead of this process's (negative: behind). */
  get offset(): number {
    return this.offsetMs;
  }

  /** Measures the offset now. */
  async sync(): Promise<void> {
    const sql =
      this.dataSource.options.type === 'better-sqlite3'
        ? `SELECT CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER) AS ms`
        : 'SELECT ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) AS ms';
    const t0 = this.localNow();
    const [row] = await this.dataSource.query(sql);
    const t1 = this.localNow();
    const dbMs = Number(row.ms);
    if (Number.isFinite(dbMs)) {
      this.offsetMs = Math.round(dbMs - (t0 + t1) / 2);
      this.syncedAt = performance.now();
    }
  }

  /** Measures the offset again when the last measure is older than 30 s. */
  async refresh(): Promise<void> {
    if (performance.now() - this.syncedAt >= RESYNC_MS) await this.sync();
  }

  /** This process's wall clock (the one that may be skewed). */
  protected localNow(): number {
    return Date.now();
  }
}
