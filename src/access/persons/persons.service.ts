import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { isRetryableConflict, isUniqueViolation } from '../../common/db-errors';
import { FieldErrors } from '../../common/errors';
import { PendingInput } from '../../common/pending-input';
import { Agent } from '../../xapi/agents/agent.entity';
import { agentIfi, agentVid } from '../../xapi/agents/agent-identifier';
import { Person } from '../person.entity';
import { Store } from '../store.entity';
import { LinkPersonDto, PersonView } from './dto/person.dto';

const MBOX = /^mailto:[^@\s]+@[^@\s]+$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const IRI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/**
 * The agent as it will be kept: its identifier, name and objectType; or a
 * sentence saying why it is not an identified xAPI agent.
 */
export function cleanAgent(raw: unknown): { agent: Record<string, unknown>; vid: string } | string {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'must be an xAPI agent object';
  const a = raw as Record<string, unknown>;
  if (a.objectType !== undefined && a.objectType !== 'Agent') {
    return 'objectType must be "Agent" (groups are not linked to persons)';
  }
  const ifi = agentIfi(a);
  const vid = agentVid(a);
  if (!ifi || !vid) {
    return 'must have exactly one identifier: mbox, mbox_sha1sum, openid or account {homePage, name}';
  }
  if (ifi.kind === 'mbox' && !MBOX.test(ifi.value)) return 'mbox must be a mailto: IRI';
  if (ifi.kind === 'mbox_sha1sum' && !SHA1.test(ifi.value))
    return 'mbox_sha1sum must be 40 hex digits';
  if (ifi.kind === 'openid' && !IRI.test(ifi.value)) return 'openid must be an IRI';
  if (ifi.kind === 'account' && (!IRI.test(ifi.homePage) || !ifi.name)) {
    return 'account needs an IRL homePage and a non-empty name';
  }
  if (a.name !== undefined && typeof a.name !== 'string') return 'name must be a string';
  const agent: Record<string, unknown> = { objectType: 'Agent' };
  if (typeof a.name === 'string') agent.name = a.name;
  if (ifi.kind === 'account') agent.account = { homePage: ifi.homePage, name: ifi.name };
  else agent[ifi.kind] = ifi.value;
  return { agent, vid };
}

@Injectable()
export class PersonsService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Store) private readonly stores: Repository<Store>,
  ) {}

  async get(id: number): Promise<PersonView> {
    const person = await this.dataSource.getRepository(Person).findOne({ where: { id } });
    if (!person) throw new NotFoundException(`No person ${id}.`);
    return this.view(this.dataSource.manager, person);
  }

  /**
   * Links the agents into one new person: missing agents are recorded, and the
   * persons some of them belonged to are merged into the new one.
   */
  async link(input: PendingInput<LinkPersonDto>): Promise<PersonView> {
    const errors: FieldErrors = {};
    const storeSlug = input.sent('store');
    const store =
      storeSlug === undefined ? null : await this.stores.findOne({ where: { slug: storeSlug } });
    if (storeSlug !== undefined && !store) errors.store = [`No store "${storeSlug}".`];
    const agents = new Map<string, Record<string, unknown>>();
    (input.sent('agents') ?? []).forEach((raw, i) => {
      const clean = cleanAgent(raw);
      if (typeof clean === 'string') errors[`agents[${i}]`] = [clean];
      else agents.set(clean.vid, clean.agent);
    });
    input.valid(errors);
    // Two requests may record the same new agent at once: the loser retries.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((em) => this.linkIn(em, store!, agents));
      } catch (err) {
        if (attempt >= 3 || !(isUniqueViolation(err) || isRetryableConflict(err))) throw err;
      }
    }
  }

  private async linkIn(
    em: EntityManager,
    store: Store,
    agents: Map<string, Record<string, unknown>>,
  ): Promise<PersonView> {
    const now = new Date();
    const vids = [...agents.keys()];
    // Links of one store are made one at a time, each reading the latest persons:
    // parallel links sharing an agent then all end up merged. (SQLite serialises
    // write transactions by itself.)
    const mysql = ['mysql', 'mariadb'].includes(em.connection.options.type);
    if (mysql) await em.query('SELECT id FROM stores WHERE id = ? FOR UPDATE', [store.id]);
    const existing = await em.find(Agent, {
      where: { storeId: store.id, vid: In(vids) },
      ...(mysql ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    const known = new Map(existing.map((a) => [a.vid, a]));
    const person = await em.save(em.create(Person, { storeId: store.id, createdAt: now }));
    const formerPersons = [
      ...new Set(existing.map((a) => a.personId).filter((id): id is number => id !== null)),
    ];
    for (const [vid, agent] of agents) {
      const row = known.get(vid);
      if (row) {
        // The identifier is the same; a name given now is kept.
        row.agent = { ...row.agent, ...agent };
        row.personId = person.id;
        row.updated = now;
        await em.save(row);
      } else {
        await em.save(
          em.create(Agent, {
            storeId: store.id,
            vid,
            agent,
            personId: person.id,
            stored: now,
            updated: now,
          }),
        );
      }
    }
    if (formerPersons.length) {
      await em.update(
        Agent,
        { storeId: store.id, personId: In(formerPersons) },
        { personId: person.id, updated: now },
      );
      await em.delete(Person, { id: In(formerPersons) });
    }
    return this.view(em, person, store);
  }

  private async view(em: EntityManager, person: Person, store?: Store): Promise<PersonView> {
    const s = store ?? (await em.findOne(Store, { where: { id: person.storeId } }));
    const agents = await em.find(Agent, { where: { personId: person.id }, order: { id: 'ASC' } });
    return { id: person.id, store: s?.slug ?? '', agents: agents.map((a) => a.agent) };
  }
}
