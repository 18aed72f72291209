/**
 * The directory's user list, with the `$filter` clauses that find a user by an address:
 * `mail eq '…'`, `userPrincipalName eq '…'` and `proxyAddresses/any(p:p eq 'smtp:…')`, joined
 * by `or` (https://learn.microsoft.com/graph/api/user-list, the user resource's property notes).
 * These are default queries: they need neither `ConsistencyLevel` nor `$count`
 * (https://learn.microsoft.com/graph/aad-advanced-queries). As unkind as Graph: `$count=true`
 * without `ConsistencyLevel: eventual` is refused, and so is any clause it does not serve.
 * String comparisons are case-insensitive, as in the directory.
 */
import type { EmulatorRequest, Route } from '../emulator-server.js';
import type { GraphEmulatorState, StoredUser } from './graph-emulator-state.js';
import { graphError, userJson, userSelectOnlyJson } from './graph-wire.js';

type Clause = { readonly property: 'mail' | 'userPrincipalName' | 'proxyAddresses'; readonly value: string };

const LITERAL = "'((?:[^']|'')*)'";
const EQ = new RegExp(`^\\s*(mail|userPrincipalName)\\s+eq\\s+${LITERAL}\\s*`, 'i');
const ANY = new RegExp(`^\\s*proxyAddresses/any\\((\\w+)\\s*:\\s*\\1\\s+eq\\s+${LITERAL}\\)\\s*`, 'i');
const OR = /^or\s+/i;

/** The filter's clauses, or undefined when it holds anything else. */
function parseFilter(filter: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  let rest = filter;
  for (;;) {
    const eq = EQ.exec(rest);
    const any = eq ? null : ANY.exec(rest);
    if (eq?.[1] && eq[2] !== undefined) {
      clauses.push({ property: eq[1].toLowerCase() === 'mail' ? 'mail' : 'userPrincipalName', value: eq[2].replace(/''/g, "'") });
      rest = rest.slice(eq[0].length);
    } else if (any?.[2] !== undefined) {
      clauses.push({ property: 'proxyAddresses', value: any[2].replace(/''/g, "'") });
      rest = rest.slice(any[0].length);
    } else {
      return undefined;
    }
    if (rest === '') return clauses;
    const or = OR.exec(rest);
    if (!or) return undefined;
    rest = rest.slice(or[0].length);
  }
}

function selected(user: StoredUser, req: EmulatorRequest, apiBase: string): Record<string, unknown> {
  const { '@odata.context': _context, ...json } = userJson(user, apiBase);
  const fields = req.query.get('$select');
  if (!fields) return json;
  const all: Record<string, unknown> = { ...json, ...userSelectOnlyJson(user) };
  const keep = new Set(['id', ...fields.split(',').map((f) => f.trim())]);
  return Object.fromEntries(Object.entries(all).filter(([k]) => keep.has(k)));
}

export function directoryRoutes(state: GraphEmulatorState, baseUrl: () => string): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users$/,
      handler: (req) => {
        const apiBase = `${baseUrl()}/v1.0`;
        const counted = req.query.get('$count') === 'true';
        const eventual = String(req.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
        if (counted && !eventual) return graphError(400, 'Request_BadRequest', '$count is not currently supported.');
        const filter = req.query.get('$filter');
        const clauses = filter === null ? [] : parseFilter(filter);
        if (!clauses) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified for property of resource \'User\'.');
        const found = filter === null ? state.allUsers() : [...new Set(clauses.flatMap((c) => state.usersWhere(c.property, c.value)))];
        return {
          status: 200,
          body: {
            '@odata.context': `${apiBase}/$metadata#users`,
            ...(counted ? { '@odata.count': found.length } : {}),
            value: found.map((u) => selected(u, req, apiBase)),
          },
        };
      },
    },
  ];
}
