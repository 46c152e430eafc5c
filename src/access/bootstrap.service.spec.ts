import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { BootstrapService } from './bootstrap.service';

function announced(config: Partial<AppConfig>, port: number): string[] {
  const service = new BootstrapService({} as DataSource, config as AppConfig);
  const written: string[] = [];
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
  const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  try {
    service.announce(port);
  } finally {
    write.mockRestore();
    log.mockRestore();
  }
  return written;
}

describe('BootstrapService.announce', () => {
  it('prints the admin base endpoint under PUBLIC_URL when set, as clients see it', () => {
    expect(announced({ publicUrl: 'https://lrs.example.org' }, 8080)).toEqual([
      'Admin base endpoint: https://lrs.example.org/api/admin\n',
    ]);
  });

  it('prints it on localhost and the listening port without PUBLIC_URL', () => {
    expect(announced({}, 34567)).toEqual([
      'Admin base endpoint: http://localhost:34567/api/admin\n',
    ]);
  });
});
