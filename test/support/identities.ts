/**
 * Every agent identity left in a statement outside its authority: the paths of each
 * `mbox`, `mbox_sha1sum`, `openid`, `name` and of each account whose homePage is not
 * `pseudoHomePage` (activity definitions and verb displays are not identities).
 */
export function identitiesIn(value: unknown, pseudoHomePage: string, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => identitiesIn(v, pseudoHomePage, `${path}[${i}]`));
  }
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (p === 'authority' || k === 'definition' || k === 'display') continue;
    if (['mbox', 'mbox_sha1sum', 'openid', 'name'].includes(k)) out.push(p);
    else if (k === 'account') {
      if ((v as { homePage?: string })?.homePage !== pseudoHomePage) out.push(p);
    } else out.push(...identitiesIn(v, pseudoHomePage, p));
  }
  return out;
}
