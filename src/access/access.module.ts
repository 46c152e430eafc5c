import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Agent } from '../xapi/agents/agent.entity';
import { AccessCache } from './access-cache';
import { BootstrapService } from './bootstrap.service';
import { Client } from './client.entity';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ClientAuthGuard } from './client-auth.guard';
import { Connection } from './connection.entity';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsService } from './connections/connections.service';
import { ConnectionUsage } from './connection-usage';
import { CredentialVerifiers } from './credential-verifiers';
import { Person } from './person.entity';
import { PersonsController } from './persons/persons.controller';
import { PersonsService } from './persons/persons.service';
import { RunCredential } from './run-credentials/run-credential.entity';
import { RunCredentialsService } from './run-credentials/run-credentials.service';
import { Store } from './store.entity';
import { StoresController } from './stores/stores.controller';
import { StoresService } from './stores/stores.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Store, Client, Connection, Person, Agent, RunCredential])],
  controllers: [StoresController, ClientsController, ConnectionsController, PersonsController],
  providers: [
    AccessCache,
    ClientAuthGuard,
    CredentialVerifiers,
    ConnectionUsage,
    BootstrapService,
    StoresService,
    ClientsService,
    ConnectionsService,
    PersonsService,
    RunCredentialsService,
  ],
  exports: [
    TypeOrmModule,
    AccessCache,
    ClientAuthGuard,
    CredentialVerifiers,
    ConnectionUsage,
    BootstrapService,
    StoresService,
    ClientsService,
    ConnectionsService,
    PersonsService,
    RunCredentialsService,
  ],
})
export class AccessModule {}
