import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Agent } from '../xapi/agents/agent.entity';
import { BootstrapService } from './bootstrap.service';
import { Client } from './client.entity';
import { ClientAuthGuard } from './client-auth.guard';
import { Connection } from './connection.entity';
import { ConnectionUsage } from './connection-usage';
import { CredentialVerifiers } from './credential-verifiers';
import { Person } from './person.entity';
import { Store } from './store.entity';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Store, Client, Connection, Person, Agent])],
  providers: [ClientAuthGuard, CredentialVerifiers, ConnectionUsage, BootstrapService],
  exports: [TypeOrmModule, ClientAuthGuard, CredentialVerifiers, ConnectionUsage, BootstrapService],
})
export class AccessModule {}
