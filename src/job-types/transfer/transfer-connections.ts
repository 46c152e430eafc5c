import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Connection } from '../../access/connection.entity';
import { existsSync, realpathSync } from 'fs';
import { confineFolder, ensureConfinedFolder } from '../../access/connections/connection-folders';
import { decryptConnectionPassword } from '../../access/connections/connection-secrets';
import { invalidInput } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { SERVICE_PARAM_VALUES, ServiceParam } from '../../database/store-scoped';
import { LogLevel } from '../../logging/log-entry.entity';
import { TransferSettings } from './transfer-settings';
import { RemoteLrs, XapiRemote } from './xapi-remote';

/** The xAPI services a pull or push job moves (`all` means each of the others). */
export const TRANSFER_SERVICES = SERVICE_PARAM_VALUES;
export type TransferService = ServiceParam;
export type RecordService = Exclude<TransferService, 'all'>;

export function servicesOf(service: TransferService): RecordService[] {
  return service === 'all'
    ? (TRANSFER_SERVICES.filter((s) => s !== 'all') as RecordService[])
    : [service];
}

/** The connections of pull and push jobs: checks at creation, credentials and folders at run time. */
@Injectable()
export class TransferConnections {
  constructor(
    @InjectRepository(Connection) private readonly connections: Repository<Connection>,
    private readonly config: AppConfig,
    private readonly settings: TransferSettings,
  ) {}

  /** 422 naming `connection` (no such connection) or `service` (an LRS carries statements only). */
  async validate(params: { connection: number; service: TransferService }): Promise<Connection> {
    const connection = await this.connections.findOneBy({ id: params.connection });
    if (!connection) {
      throw invalidInput({ connection: [`No connection ${params.connection}.`] });
    }
    if (connection.type === 'lrs' && params.service !== 'statements') {
      throw invalidInput({
        service: [
          `Connection ${connection.id} is an LRS: it carries statements only (service: statements).`,
        ],
      });
    }
    return connection;
  }

  /** The connection as the run finds it (it may have changed since the job was saved). */
  async load(params: { connection: number; service: TransferService }): Promise<Connection> {
    try {
      return await this.validate(params);
    } catch (err) {
      const errors = (err as { response?: { errors?: Record<string, string[]> } }).response?.errors;
      throw new Error(errors ? Object.values(errors).flat().join(' ') : String(err));
    }
  }

  /** Where the connection points; a job's cursor is only good for that target. */
  target(connection: Connection): string {
    return connection.type === 'lrs'
      ? `lrs ${connection.id} ${connection.endpoint}`
      : `file ${connection.id} ${connection.folder} ${connection.prefix ?? ''}`;
  }

  /**
   * The HTTP client of an lrs connection for one run: stops with the run's signal, and
   * logs each retry (notice) with its cause, never the credentials.
   */
  open(
    connection: Connection,
    ctx: {
      signal: AbortSignal;
      log: (level: number, message: string, data?: Record<string, unknown>) => Promise<void>;
    },
  ): XapiRemote {
    const remote: XapiRemote = new XapiRemote(
      this.remote(connection),
      this.settings,
      ctx.signal,
      (n) =>
        ctx.log(
          LogLevel.Notice,
          `${remote.label}: ${n.reason}; try ${n.attempt + 1} in ${n.delayMs} ms.`,
          { ...n },
        ),
    );
    return remote;
  }

  /** The remote LRS with its password decrypted; it is passed to the transport, never logged. */
  remote(connection: Connection): RemoteLrs {
    return {
      id: connection.id,
      name: connection.name,
      endpoint: connection.endpoint ?? '',
      username: connection.username ?? '',
      password: connection.passwordEncrypted
        ? decryptConnectionPassword(connection.passwordEncrypted, this.config.appKey)
        : '',
      version: connection.version ?? '1.0.3',
    };
  }

  /**
   * The absolute path a file connection's folder names (its real path once it exists),
   * without creating it: two connections naming one folder give the same path.
   */
  folderPath(connection: Connection): string {
    const { path } = confineFolder(this.config.filesPath, connection.folder ?? '.');
    return existsSync(path) ? realpathSync(path) : path;
  }

  /** The real path of a file connection's folder, inside FILES_PATH (throws when it escapes). */
  folder(connection: Connection): string {
    return ensureConfinedFolder(this.config.filesPath, connection.folder ?? '.');
  }
}
