import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { validationExceptionFactory } from './errors';

/**
 * The global DTO validation (whitelist, transform). A body that fails is a 422 naming
 * each field; query parameters that fail (`limit=abc`, `service=bogus`) are a 400 naming
 * them, as service.md wants for malformed query parameters on admin and jobs routes.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'query') return super.transform(value, metadata);
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      const body = (e as { getResponse?: () => unknown }).getResponse?.();
      const errors = (body as { errors?: Record<string, string[]> } | undefined)?.errors;
      if (!errors) throw e;
      throw new BadRequestException({
        message: `Malformed query parameters: ${Object.keys(errors).join(', ')}.`,
        errors,
      });
    }
  }
}
