import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { JobHandler, JobType } from './job-type';
import { DuplicateJobTypeError, JobTypeRegistry } from './job-type.registry';

class NoteParams {
  @IsString()
  note: string;
}

@JobType({ name: 'note', params: NoteParams, store: 'none', repeats: ['now'] })
@Injectable()
class NoteHandler implements JobHandler {
  async run() {
    return { feedback: 'noted' };
  }
}

@JobType({ name: 'note', params: NoteParams, store: 'required' })
@Injectable()
class OtherNoteHandler implements JobHandler {
  async run() {
    return { feedback: 'noted again' };
  }
}

@JobType({ name: 'other', params: NoteParams, store: 'per-store' })
@Injectable()
class OtherHandler implements JobHandler {
  async run() {
    return { feedback: 'other' };
  }
}

@Module({ providers: [NoteHandler] })
class NoteModule {}

@Module({ providers: [OtherNoteHandler] })
class OtherNoteModule {}

@Module({ providers: [OtherHandler] })
class OtherModule {}

async function registryWith(...imports: (new () => unknown)[]) {
  const ref = await Test.createTestingModule({
    imports: [DiscoveryModule, ...imports],
    providers: [JobTypeRegistry],
  }).compile();
  return ref;
}

describe('JobTypeRegistry', () => {
  it('finds every provider marked @JobType, in any module', async () => {
    const ref = await registryWith(NoteModule, OtherModule);
    const registry = ref.get(JobTypeRegistry);
    expect(registry.names()).toEqual(['note', 'other']);
    expect(registry.get('note')?.repeats).toEqual(['now']);
    expect(registry.get('other')?.repeats).toHaveLength(8);
    expect(registry.get('note')?.handler).toBe(ref.get(NoteHandler));
    expect(registry.get('missing')).toBeUndefined();
  });

  it('fails fast at start-up when two providers declare one name', async () => {
    const ref = await registryWith(NoteModule, OtherNoteModule);
    expect(() => ref.get(JobTypeRegistry).onModuleInit()).toThrow(DuplicateJobTypeError);
    expect(() => ref.get(JobTypeRegistry).load()).toThrow(
      'Job type "note" is declared twice: by NoteHandler and by OtherNoteHandler.',
    );
    await expect(ref.createNestApplication().init()).rejects.toThrow(DuplicateJobTypeError);
  });
});
