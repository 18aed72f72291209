/**
 * Finds a mailbox's user in the directory by an address, for profiles whose addresses are not
 * always the UPN (`PROFILE_<NAME>_RESOLVE_ADDRESSES`). Graph's `/users/{x}` takes an object id
 * or the UPN only (microsoft-graph-docs #3979: "UPN != email address"), while CMG knows people
 * by mail address. One default query (no `ConsistencyLevel`, no `$count`) matches the primary
 * address (`mail`) and every other SMTP address (`proxyAddresses`, stored as `SMTP:` / `smtp:`
 * and compared case-insensitively): https://learn.microsoft.com/graph/api/user-list,
 * https://learn.microsoft.com/graph/aad-advanced-queries. It needs the User.Read.All
 * application permission: User.ReadBasic.All cannot filter on proxyAddresses.
 */
import { z } from 'zod';
import { configurationError, isAppError, permanentError } from '../../errors/app-error.js';
import type { GraphApi } from './graph-client.js';

const UsersPageSchema = z.object({ value: z.array(z.looseObject({ id: z.string().min(1) })) });

/** An OData string literal: quotes doubled. */
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The user's object id, and how many requests finding it took. */
export async function findUserIdByAddress(api: GraphApi, address: string): Promise<{ id: string; requests: number }> {
  const setting = `PROFILE_${api.profileName.toUpperCase()}_RESOLVE_ADDRESSES`;
  const filter = `mail eq ${literal(address)} or proxyAddresses/any(p:p eq ${literal(`smtp:${address}`)})`;
  let answer;
  try {
    answer = await api.send({ method: 'GET', path: `/users?$filter=${encodeURIComponent(filter)}&$select=id` }, UsersPageSchema);
  } catch (error) {
    if (isAppError(error) && error.code === 'graph-permission-missing') {
      throw configurationError(`Graph profile "${api.profileName}": ${setting} needs the User.Read.All application permission (403 Authorization_RequestDenied)`, 'graph-permission-missing', error);
    }
    throw error;
  }
  const found = answer.body.value;
  if (found.length === 0) throw permanentError(`No user in the directory has this address as mail or proxy address (${setting})`, 'address-not-found');
  if (found.length > 1) throw permanentError(`${found.length} users in the directory have this address (${setting})`, 'address-ambiguous');
  return { id: found[0]!.id, requests: answer.requests };
}
