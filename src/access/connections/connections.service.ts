import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { FieldErrors } from '../../common/errors';
import { PendingInput } from '../../common/pending-input';
import { LogLevel } from '../../logging/log-entry.entity';
import { SystemLogService } from '../../logging/system-log.service';
import { Connection } from '../connection.entity';
import { ConnectionUsage } from '../connection-usage';
import { confineFolder, ensureConfinedFolder, FolderOutsideFilesPath } from './connection-folders';
import { encryptConnectionPassword } from './connection-secrets';
import { CONNECTION_TYPES, CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';

@Injectable()
export class ConnectionsService {
  constructor(
    @InjectRepository(Connection) private readonly connections: Repository<Connection>,
    private readonly usage: ConnectionUsage,
    private readonly config: AppConfig,
    private readonly logs: SystemLogService,
  ) {}

  list(): Promise<Connection[]> {
    return this.connections.find({ order: { id: 'ASC' } });
  }

  async get(id: number): Promise<Connection> {
    const connection = await this.connections.findOne({ where: { id } });
    if (!connection) throw new NotFoundException(`No connection ${id}.`);
    return connection;
  }

  async create(input: PendingInput<CreateConnectionDto>, by: string): Promise<Connection> {
    const now = new Date();
    const connection = this.connections.create({
      endpoint: null,
      username: null,
      passwordEncrypted: null,
      version: null,
      folder: null,
      prefix: null,
      createdAt: now,
      updatedAt: now,
    });
    const saved = await this.connections.save(this.apply(connection, input));
    await this.audit(`Connection ${saved.id} (${saved.type}) created`, saved, by);
    return saved;
  }

  async update(
    id: number,
    input: PendingInput<UpdateConnectionDto>,
    by: string,
  ): Promise<Connection> {
    const connection = await this.get(id);
    const saved = await this.connections.save(this.apply(connection, input));
    await this.audit(`Connection ${saved.id} (${saved.type}) updated`, saved, by);
    return saved;
  }

  async remove(id: number, by: string): Promise<void> {
    const connection = await this.get(id);
    const user = await this.usage.usedBy(id);
    if (user) throw new ConflictException(`Connection ${id} is in use by ${user}.`);
    await this.connections.delete({ id });
    await this.audit(`Connection ${id} (${connection.type}) deleted`, connection, by);
  }

  /**
   * Lays the given fields over the connection, keeps only those of its type,
   * and checks that the result is whole (required fields of the type present): one 422
   * with the DTO's faults and these. The folder is created only for an input without faults.
   */
  private apply(c: Connection, input: PendingInput<UpdateConnectionDto>): Connection {
    const dto = input.sentFields();
    if (dto.name !== undefined) c.name = dto.name;
    if (dto.type !== undefined) c.type = dto.type;
    const errors: FieldErrors = {};
    const need = (field: string, present: unknown) => {
      if (present === null || present === undefined || present === '') {
        errors[field] = [`${field} is required for a ${c.type} connection`];
      }
    };
    if (!CONNECTION_TYPES.includes(c.type)) {
      input.valid(errors); // no type to check the fields against: the DTO named it
    } else if (c.type === 'lrs') {
      c.endpoint = dto.endpoint ?? c.endpoint;
      c.username = dto.username ?? c.username;
      c.version = dto.version ?? c.version ?? '1.0.3';
      if (dto.password !== undefined) {
        c.passwordEncrypted = encryptConnectionPassword(dto.password, this.config.appKey);
      }
      need('endpoint', c.endpoint);
      need('username', c.username);
      need('password', c.passwordEncrypted);
      c.folder = null;
      c.prefix = null;
    } else {
      c.prefix = dto.prefix ?? c.prefix ?? '';
      if (dto.folder !== undefined || c.folder === null) {
        need('folder', dto.folder);
        if (dto.folder) {
          try {
            c.folder = confineFolder(this.config.filesPath, dto.folder).folder;
          } catch (err) {
            if (!(err instanceof FolderOutsideFilesPath)) throw err;
            errors.folder = [err.message];
          }
        }
      }
      const faultless = !Object.keys(errors).length && !Object.keys(input.errors).length;
      if (faultless && c.folder) this.createFolder(c.folder, errors);
      c.endpoint = null;
      c.username = null;
      c.passwordEncrypted = null;
      c.version = null;
    }
    input.valid(errors);
    if (c.id) c.updatedAt = new Date();
    return c;
  }

  private createFolder(folder: string, errors: FieldErrors) {
    try {
      ensureConfinedFolder(this.config.filesPath, folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      errors.folder = [
        err instanceof FolderOutsideFilesPath
          ? err.message
          : `folder cannot be created inside FILES_PATH${code ? ` (${code})` : ''}`,
      ];
    }
  }

  /** Admin changes are logged; never a password, only ids, names and who did it. */
  private async audit(message: string, c: Connection, by: string) {
    await this.logs.log({
      level: LogLevel.Info,
      type: 'api',
      message,
      data: { connection: c.id, name: c.name, client: by },
    });
  }
}
