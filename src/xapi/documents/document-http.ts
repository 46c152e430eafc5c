import { ForbiddenException } from '@nestjs/common';
import { Request, Response } from 'express';
import { Principal } from '../../access/principal';
import { agentVid } from '../agents/agent-identifier';
import { DocumentRecord } from './document-record';
import { decodeContent, IncomingDocument, Preconditions } from './documents.service';

/**
 * The request body as bytes: JSON types were parsed by the body parser (the
 * bytes are kept in rawBody), every other type arrives as a Buffer.
 */
export function incomingDocument(req: Request & { rawBody?: Buffer }): IncomingDocument {
  const contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
  let bytes: Buffer;
  if (Buffer.isBuffer(req.body)) bytes = req.body;
  else if (Buffer.isBuffer(req.rawBody)) bytes = req.rawBody;
  else if (req.body === undefined || req.body === null) bytes = Buffer.alloc(0);
  else bytes = Buffer.from(JSON.stringify(req.body), 'utf8');
  return { bytes, contentType };
}

export function preconditionsOf(
  req: Request,
  putWithoutHeader: Preconditions['putWithoutHeader'] = 'replace',
): Preconditions {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  return {
    ifMatch: header('if-match'),
    ifNoneMatch: header('if-none-match'),
    putWithoutHeader,
  };
}

/** Restricted credentials (a cmi5 token) act on their own agent's documents only. */
export function assertAgentAllowed(principal: Principal, vid: string) {
  if (principal.agent && agentVid(principal.agent) !== vid) {
    throw new ForbiddenException('These credentials may only act on their own agent.');
  }
}

/** Restricted credentials (a cmi5 token) have no activity profiles: they belong to no agent. */
export function assertUnrestricted(principal: Principal) {
  if (principal.agent) {
    throw new ForbiddenException("These credentials may only act on their own agent's data.");
  }
}

export function setEtag(res: Response, doc: DocumentRecord) {
  res.setHeader('ETag', `"${doc.etag}"`);
}

/** One document: its bytes with Content-Type, ETag and Last-Modified. */
export function sendDocument(res: Response, doc: DocumentRecord) {
  const bytes = decodeContent(doc.content);
  res.setHeader('Content-Type', doc.contentType || 'application/octet-stream');
  setEtag(res, doc);
  res.setHeader('Last-Modified', doc.updated.toUTCString());
  res.status(200).send(bytes);
}

/** A list of document ids (a JSON array). */
export function sendIds(res: Response, ids: string[]) {
  res.status(200).json(ids);
}
