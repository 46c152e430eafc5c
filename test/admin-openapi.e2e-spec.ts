import { createTestApp, TestApp } from './support/test-app';

/** Every admin route of service.md, as the OpenAPI document names it. */
const ADMIN_ROUTES: [string, string][] = [
  ['get', '/api/{client}/stores'],
  ['post', '/api/{client}/stores'],
  ['get', '/api/{client}/stores/{slug}'],
  ['put', '/api/{client}/stores/{slug}'],
  ['get', '/api/{client}/clients'],
  ['post', '/api/{client}/clients'],
  ['get', '/api/{client}/clients/{slug}'],
  ['put', '/api/{client}/clients/{slug}'],
  ['delete', '/api/{client}/clients/{slug}'],
  ['get', '/api/{client}/connections'],
  ['post', '/api/{client}/connections'],
  ['get', '/api/{client}/connections/{id}'],
  ['put', '/api/{client}/connections/{id}'],
  ['delete', '/api/{client}/connections/{id}'],
  ['post', '/api/{client}/persons'],
  ['get', '/api/{client}/persons/{id}'],
  ['get', '/api/{client}/logs'],
];

describe('admin: OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: any;

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => t.close());

  /** Follows a $ref to its schema in components. */
  const deref = (schema: any) =>
    schema?.$ref
      ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]
      : schema;

  it.each(ADMIN_ROUTES)('documents %s %s with Basic auth and its schemas', (method, path) => {
    const op = doc.paths[path]?.[method];
    expect(op).toBeDefined();
    expect(op.security).toEqual(expect.arrayContaining([{ basic: [] }]));
    expect(op.responses['401']).toBeDefined();
    expect(op.responses['403']).toBeDefined();
    if (method === 'post' || method === 'put') {
      const body = deref(op.requestBody?.content?.['application/json']?.schema);
      expect(Object.keys(body?.properties ?? {}).length).toBeGreaterThan(0);
      expect(op.responses['422']?.content?.['application/json']?.schema).toBeDefined();
    }
    if (method === 'delete') {
      expect(op.responses['204']).toBeDefined();
      expect(op.responses['404']?.content?.['application/json']?.schema).toBeDefined();
      return;
    }
    const ok = op.responses[method === 'post' ? '201' : '200'];
    const schema = deref(ok?.content?.['application/json']?.schema);
    expect(schema).toBeDefined();
    expect(schema.properties.data).toBeDefined();
    const data = schema.properties.data;
    const item = deref(data.type === 'array' ? data.items : data);
    for (const [name, prop] of Object.entries<any>(item.properties)) {
      expect({ name, example: prop.example !== undefined }).toEqual({ name, example: true });
    }
  });

  it('gives examples on every field of the admin request bodies, and never a password back', () => {
    for (const name of [
      'CreateStoreDto',
      'UpdateStoreDto',
      'CreateClientDto',
      'UpdateClientDto',
      'PipelineOptionsDto',
      'CreateConnectionDto',
      'UpdateConnectionDto',
      'LinkPersonDto',
    ]) {
      const schema = doc.components.schemas[name];
      expect(schema).toBeDefined();
      for (const [field, prop] of Object.entries<any>(schema.properties)) {
        const documented =
          prop.example !== undefined || prop.$ref !== undefined || prop.allOf !== undefined;
        expect({ name, field, documented }).toEqual({ name, field, documented: true });
      }
    }
    for (const view of ['StoreView', 'ClientView', 'ConnectionView', 'PersonView']) {
      expect(Object.keys(doc.components.schemas[view].properties)).not.toContain('password');
    }
    expect(doc.components.schemas.CreateClientDto.properties.password.writeOnly).toBe(true);
    expect(doc.components.schemas.CreateConnectionDto.properties.password.writeOnly).toBe(true);
  });
});
