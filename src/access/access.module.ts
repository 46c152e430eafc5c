import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Agent } from '../xapi/agents/agent.entity';
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
import { LoginThrottle } from './login-throttle.service';
import { Person } from './person.entity';
import { PersonsController } from './persons/persons.controller';
import { PersonsService } from './persons/persons.service';
import { Store } from './store.entity';
import { StoresController } from './stores/stores.controller';
import { StoresService } from './stores/stores.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Store, Client, Connection, Person, Agent])],
  controllers: [StoresController, ClientsController, ConnectionsController, PersonsController],
  providers: [
    ClientAuthGuard,
    LoginThrottle,
    CredentialVerifiers,
    ConnectionUsage,
    BootstrapService,
    StoresService,
    ClientsService,
    ConnectionsService,
    PersonsService,
  ],
  exports: [
    TypeOrmModule,
    ClientAuthGuard,
    LoginThrottle,
    CredentialVerifiers,
    ConnectionUsage,
    BootstrapService,
    StoresService,
    ClientsService,
    ConnectionsService,
    PersonsService,
  ],
})
export class AccessModule {}
