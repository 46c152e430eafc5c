import { Injectable, NotFoundException } from '@nestjs/common';
import { Request, Response } from 'express';
import { EntityTarget } from 'typeorm';
import { Principal } from '../../access/principal';
import { documentIdParam, onlyParams, QueryParams, sinceParam } from './document-params';
import { incomingDocument, preconditionsOf, sendDocument, sendIds, setEtag } from './document-http';
import { DocumentRecord } from './document-record';
import { DocumentAddress, DocumentsService, Preconditions } from './documents.service';

/** What sets one xAPI document resource (state, activity profile, agent profile) apart. */
export interface DocumentKind<T extends DocumentRecord> {
  entity: EntityTarget<T>;
  /** The document id param and column. */
  idParam: 'stateId' | 'profileId';
  /** The params the resource takes (GET adds `since`). */
  params: readonly string[];
  /** The 404 message of a GET of one document. */
  notFound: string;
  /** The address of one document (400 on missing or invalid params, 403 for another agent). */
  address(query: QueryParams, principal: Principal): DocumentAddress<T>;
  /** The context of a list (and of a DELETE of all), checked as `address` is. */
  context(
    query: QueryParams,
    principal: Principal,
  ): { contextKey: string; registration?: string | null };
  /** A PUT without If-Match / If-None-Match (see Preconditions). */
  putWithoutHeader(req: Request): Preconditions['putWithoutHeader'];
  /** DELETE without the document id removes every document of the context (states). */
  deleteWholeContext?: boolean;
}

/**
 * The HTTP side the three document resources share: params, preconditions,
 * headers and bodies. Each controller keeps its routes and docs and passes its kind.
 */
@Injectable()
export class DocumentResourceService {
  constructor(private readonly docs: DocumentsService) {}

  /** PUT stores the document as sent, POST merges it; the ETag of the result is sent back. */
  async write<T extends DocumentRecord>(
    kind: DocumentKind<T>,
    mode: 'put' | 'post',
    query: QueryParams,
    req: Request,
    res: Response,
    principal: Principal,
  ) {
    onlyParams(query, kind.params);
    const doc = await this.docs.write(
      kind.address(query, principal),
      incomingDocument(req),
      mode,
      mode === 'put' ? preconditionsOf(req, kind.putWithoutHeader(req)) : preconditionsOf(req),
    );
    setEtag(res, doc);
  }

  /** One document (with its id param), or the ids of the context (optionally `since`). */
  async get<T extends DocumentRecord>(
    kind: DocumentKind<T>,
    query: QueryParams,
    res: Response,
    principal: Principal,
  ) {
    onlyParams(query, [...kind.params, 'since']);
    if (documentIdParam(query, kind.idParam, false) !== undefined) {
      const address = kind.address(query, principal);
      const doc = await this.docs.findOne(kind.entity, address.storeId, address.docKey);
      if (!doc) throw new NotFoundException(kind.notFound);
      return sendDocument(res, doc);
    }
    const context = kind.context(query, principal);
    const since = sinceParam(query);
    const ids = await this.docs.listIds(
      kind.entity,
      kind.idParam,
      principal.store.id,
      context.contextKey,
      { since, registration: context.registration },
    );
    return sendIds(res, ids);
  }

  /** One document (with If-Match / If-None-Match), or every document of the context. */
  async delete<T extends DocumentRecord>(
    kind: DocumentKind<T>,
    query: QueryParams,
    req: Request,
    principal: Principal,
  ) {
    onlyParams(query, kind.params);
    if (kind.deleteWholeContext && documentIdParam(query, kind.idParam, false) === undefined) {
      const c = kind.context(query, principal);
      await this.docs.deleteContext(kind.entity, principal.store.id, c.contextKey, c.registration);
      return;
    }
    const address = kind.address(query, principal);
    await this.docs.deleteOne(kind.entity, address.storeId, address.docKey, preconditionsOf(req));
  }
}
