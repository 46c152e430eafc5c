import express, { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { jsonBody } from './json-body';

describe('jsonBody', () => {
  const app = express();
  app.use(jsonBody('1kb'));
  app.post('/', (req: Request & { rawBody?: Buffer }, res: Response) =>
    res.json({ body: req.body ?? null, raw: req.rawBody?.length ?? null }),
  );
  app.use((err: any, _req: Request, res: Response, _next: NextFunction) =>
    res.status(err.status ?? 500).json({ message: err.message, type: err.type ?? null }),
  );
  // Bytes as they are (supertest would serialise a Buffer as JSON).
  const post = (body: string | Buffer, type = 'application/json') =>
    request(app)
      .post('/')
      .set('Content-Type', type)
      .serialize((b: unknown) => b as string)
      .send(body as string);

  it('parses ASCII and UTF-8 JSON, any JSON value, and keeps the bytes', async () => {
    expect((await post('{"a":[1,"x"]}').expect(200)).body).toEqual({
      body: { a: [1, 'x'] },
      raw: 13,
    });
    const utf8 = Buffer.from(JSON.stringify({ name: 'Zoë 学习 🎓' }));
    expect((await post(utf8).expect(200)).body.body).toEqual({ name: 'Zoë 学习 🎓' });
    expect((await post('"text"', 'application/json; charset=utf-8').expect(200)).body.body).toBe(
      'text',
    );
    expect((await post('{"x":1}', 'application/vnd.api+json').expect(200)).body.body).toEqual({
      x: 1,
    });
  });

  it('answers 400 to malformed JSON or invalid UTF-8, 415 to another charset, 413 over the limit', async () => {
    const malformed = await post('{"a":').expect(400);
    expect(malformed.body.type).toBe('entity.parse.failed');
    await post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])).expect(400);
    const latin = await post('{}', 'application/json; charset=iso-8859-1').expect(415);
    expect(latin.body.message).toBe('unsupported charset "ISO-8859-1"');
    await post(JSON.stringify({ a: 'x'.repeat(2000) })).expect(413);
  });

  it('leaves other media types to the next parser', async () => {
    expect((await post('{"a":1}', 'text/plain').expect(200)).body).toEqual({
      body: null,
      raw: null,
    });
  });
});
