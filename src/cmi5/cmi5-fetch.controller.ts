import { Controller, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Cmi5TokensService } from './cmi5-tokens.service';

/** The cmi5 fetch URL: no credentials, POST only, always 200 with a JSON answer (cmi5 8.2). */
@Controller('api/:client/cmi5/fetch')
@ApiTags('cmi5')
export class Cmi5FetchController {
  constructor(private readonly tokens: Cmi5TokensService) {}

  @Post(':token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Fetch the auth-token of a cmi5 launch (once)' })
  @ApiParam({ name: 'client', example: 'lms' })
  @ApiParam({ name: 'token', example: 'q3Jx2C0bKqK2Wl0tq7wY1n6m8d2Yc7pA' })
  @ApiOkResponse({
    description: 'First call: the credentials; later calls: error-code 1',
    schema: {
      example: { 'auth-token': 'cTNKeDJDMGJLcUsyV2wwdHE3d1kxbjZtOGQyWWM3cEE6c2VjcmV0' },
    },
  })
  fetch(@Param('client') client: string, @Param('token') token: string) {
    return this.tokens.fetch(client, token);
  }
}
