import { Injectable } from '@nestjs/common';
import { Client } from './client.entity';
import { Principal } from './principal';

/**
 * Other credentials than a client's own username and password (cmi5 tokens,
 * credentials minted for a job run). A module registers one at init; the guard
 * tries them after the client's own credentials failed.
 */
export type CredentialVerifier = (
  client: Client,
  username: string,
  password: string,
) => Promise<Omit<Principal, 'client' | 'store'> | null>;

@Injectable()
export class CredentialVerifiers {
  private readonly verifiers: CredentialVerifier[] = [];

  register(verifier: CredentialVerifier) {
    this.verifiers.push(verifier);
  }

  all(): readonly CredentialVerifier[] {
    return this.verifiers;
  }
}
