import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityProfileController } from './activity-profile.controller';
import { ActivityProfile } from './activity-profile.entity';
import { AgentProfileController } from './agent-profile.controller';
import { AgentProfile } from './agent-profile.entity';
import { DocumentResourceService } from './document-resource';
import { DocumentsService } from './documents.service';
import { StateController } from './state.controller';
import { State } from './state.entity';

/** xAPI documents: state, activity profile, agent profile. */
@Module({
  imports: [TypeOrmModule.forFeature([State, ActivityProfile, AgentProfile])],
  controllers: [StateController, ActivityProfileController, AgentProfileController],
  providers: [DocumentsService, DocumentResourceService],
  exports: [DocumentsService],
})
export class XapiDocumentsModule {}
