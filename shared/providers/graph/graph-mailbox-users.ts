/**
 * How the provider names a mailbox's user to Graph. By default by its address, taken as the
 * UPN: when Graph knows no such UPN (404 ErrorInvalidUser), the refusal says the likely cause
 * and the fix. With PROFILE_<NAME>_RESOLVE_ADDRESSES the address is looked up in the directory
 * (graph-directory.ts) and the user named by object id; the caller remembers the id per mailbox
 * (the Mailboxes table), this object per address for the provider's life (subscriptions), and a
 * remembered id that answers 404 is looked up again.
 */
import { isAppError, permanentError } from '../../errors/app-error.js';
import type { DirectoryUser } from '../calendar-provider.js';
import type { GraphApi } from './graph-client.js';
import { findUserIdByAddress } from './graph-directory.js';

export interface MailboxRead<T> {
  readonly value: T;
  /** When resolving: the user the mailbox was read as. */
  readonly directoryUser?: DirectoryUser | undefined;
  /** Directory requests the read took on top of its own. */
  readonly requests: number;
}

export class MailboxUsers {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly api: GraphApi,
    private readonly resolve: boolean,
  ) {}

  /** Runs `read` with how Graph is to find the mailbox's user; `remembered` counts only for the same address. */
  async read<T>(address: string, remembered: DirectoryUser | undefined, read: (userRef: string) => Promise<T>): Promise<MailboxRead<T>> {
    if (!this.resolve) {
      try {
        return { value: await read(address), requests: 0 };
      } catch (error) {
        throw this.explainUnknownUpn(error);
      }
    }
    const key = address.toLowerCase();
    let requests = 0;
    const lookUp = async (): Promise<string> => {
      const found = await findUserIdByAddress(this.api, address);
      requests += found.requests;
      this.known.set(key, found.id);
      return found.id;
    };
    const cached = (remembered?.address.toLowerCase() === key ? remembered.id : undefined) ?? this.known.get(key);
    const id = cached ?? (await lookUp());
    try {
      return { value: await read(id), directoryUser: { address, id }, requests };
    } catch (error) {
      if (cached === undefined || !isAppError(error) || error.code !== 'user-not-found') throw error;
      // The remembered user is gone, or the address now belongs to another account: look again.
      this.known.delete(key);
      const fresh = await lookUp();
      if (fresh === id) throw error;
      return { value: await read(fresh), directoryUser: { address, id: fresh }, requests };
    }
  }

  private explainUnknownUpn(error: unknown): unknown {
    if (!isAppError(error) || error.code !== 'user-not-found') return error;
    const setting = `PROFILE_${this.api.profileName.toUpperCase()}_RESOLVE_ADDRESSES`;
    return permanentError(
      `Graph knows no user whose user principal name is this address (404 ErrorInvalidUser): the address may be a mail address that is not the user's UPN. Fix: set ${setting}=true (needs the User.Read.All application permission), or make the user's UPN equal to the mail address`,
      'address-not-upn',
      error,
    );
  }
}
