import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { join } from 'path';
import { In, Not, Repository } from 'typeorm';
import { Connection } from '../../access/connection.entity';
import { Store } from '../../access/store.entity';
import { Job } from '../../jobs/job.entity';
import { jsonlFileName } from '../transfer/jsonl-files';
import { servicesOf, TransferConnections, TransferService } from '../transfer/transfer-connections';

/** What names a push job's files: its params and store. */
export interface PushTarget {
  connection: number;
  service: TransferService;
  storeId: number;
}

/**
 * One writer per JSON Lines file. A push keeps, as its cursor, the file size after its
 * last durable batch and cuts what lies past it when a killed run is retried; with a
 * second writer, those bytes may be the other job's lines (cut: lost), and a torn line
 * of a killed run would sit between another job's lines where no cut can repair it.
 * So a push job may not write a file another push job writes: same folder (whichever
 * connection names it), prefix, store and service.
 */
@Injectable()
export class PushFileWriters {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectRepository(Connection) private readonly connectionRows: Repository<Connection>,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    private readonly connections: TransferConnections,
  ) {}

  /** Another push job writing one of the files this target writes, or null (also for an lrs). */
  async otherWriter(
    target: PushTarget,
    jobId: number | null,
  ): Promise<{ job: number; file: string } | null> {
    const others = await this.jobs.find({
      select: { id: true, storeId: true, params: true },
      where: { type: 'push', ...(jobId === null ? {} : { id: Not(jobId) }) },
      order: { id: 'ASC' },
    });
    if (!others.length) return null;
    const ids = new Set([target.connection, ...others.map((j) => Number(j.params.connection))]);
    const connections = new Map(
      (await this.connectionRows.findBy({ id: In([...ids].filter(Number.isInteger)) })).map((c) => [
        c.id,
        c,
      ]),
    );
    const storeIds = new Set([target.storeId, ...others.map((j) => j.storeId ?? 0)]);
    const slugs = new Map(
      (await this.stores.findBy({ id: In([...storeIds]) })).map((s) => [s.id, s.slug]),
    );
    const files = (t: PushTarget): string[] => {
      const connection = connections.get(t.connection);
      const slug = slugs.get(t.storeId);
      if (connection?.type !== 'file' || !slug) return [];
      let folder: string;
      try {
        folder = this.connections.folderPath(connection);
      } catch {
        return []; // a folder outside FILES_PATH: its runs fail before writing anything
      }
      return servicesOf(t.service).map((service) =>
        join(folder, jsonlFileName(connection.prefix, service, slug)),
      );
    };
    const mine = new Set(files(target));
    if (!mine.size) return null;
    for (const job of others) {
      const theirs = files({
        connection: Number(job.params.connection),
        service: job.params.service as TransferService,
        storeId: job.storeId ?? 0,
      });
      const shared = theirs.find((file) => mine.has(file));
      if (shared) return { job: job.id, file: shared };
    }
    return null;
  }
}
