function isObject(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A context whose contextActivities given as single objects are wrapped in arrays. */
function normalizeContext(context: unknown): unknown {
  if (!isObject(context) || !isObject(context.contextActivities)) return context;
  const given = context.contextActivities;
  // Most clients send arrays already: then the context is kept as it is.
  if (!Object.values(given).some(isObject)) return context;
  const ca: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    ca[k] = isObject(v) ? [v] : v;
  }
  return { ...context, contextActivities: ca };
}

/**
 * The stored form of a (valid) statement: a single context activity becomes an
 * array of one (Data 2.4.6.2, XAPI-00096), in the statement and its sub-statement.
 * Returns a new object (a context with nothing to wrap is shared); the input is not changed.
 */
export function normalizeStatement(s: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...s };
  if (out.context !== undefined) out.context = normalizeContext(out.context);
  if (isObject(out.object) && out.object.objectType === 'SubStatement') {
    const sub: Record<string, any> = { ...out.object };
    if (sub.context !== undefined) sub.context = normalizeContext(sub.context);
    out.object = sub;
  }
  return out;
}
