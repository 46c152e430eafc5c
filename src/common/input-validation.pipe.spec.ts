import { BadRequestException, UnprocessableEntityException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { InputValidationPipe } from './input-validation.pipe';

class Page {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number;
}

describe('InputValidationPipe', () => {
  const pipe = new InputValidationPipe();
  const as = (type: 'query' | 'body') => ({ type, metatype: Page, data: '' });
  const failure = (value: unknown, type: 'query' | 'body') =>
    pipe.transform(value, as(type)).then(
      () => null,
      (e: unknown) => e as BadRequestException | UnprocessableEntityException,
    );

  it('answers a malformed query parameter with a 400 naming it', async () => {
    const e = await failure({ limit: 'abc' }, 'query');
    expect(e).toBeInstanceOf(BadRequestException);
    expect(e!.getResponse()).toMatchObject({
      message: 'Malformed query parameters: limit.',
      errors: { limit: expect.arrayContaining(['limit must be an integer number']) },
    });
  });

  it('keeps a 422 naming each field for a body', async () => {
    const e = await failure({ limit: 0 }, 'body');
    expect(e).toBeInstanceOf(UnprocessableEntityException);
    expect(e!.getResponse()).toMatchObject({ errors: { limit: [expect.any(String)] } });
  });

  it('transforms valid input as before', async () => {
    await expect(pipe.transform({ limit: '5' }, as('query'))).resolves.toEqual({ limit: 5 });
  });
});
