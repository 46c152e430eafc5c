import { Controller, Get, Header, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client } from '../../access/client.entity';

export const SUPPORTED_XAPI_VERSIONS = ['1.0.3', '2.0.0'];

/** xAPI About resource: public, no credentials and no version header needed. */
@Controller('api/:client/xapi/about')
@ApiTags('xAPI')
export class AboutController {
  constructor(@InjectRepository(Client) private readonly clients: Repository<Client>) {}

  @Get()
  @Header('X-Experience-API-Version', '1.0.3')
  @Header('Cache-Control', 'no-cache')
  @ApiOperation({ summary: 'xAPI versions this LRS supports (no authentication)' })
  @ApiParam({ name: 'client', example: 'admin' })
  @ApiOkResponse({ schema: { example: { version: SUPPORTED_XAPI_VERSIONS, extensions: {} } } })
  async about(@Param('client') slug: string) {
    if (!(await this.clients.exists({ where: { slug } }))) {
      throw new NotFoundException('No such client endpoint.');
    }
    return { version: SUPPORTED_XAPI_VERSIONS, extensions: {} };
  }
}
