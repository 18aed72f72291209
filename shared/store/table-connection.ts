/**
 * How the repositories reach Table Storage: by connection string (Azurite, local runs) or by
 * endpoint + Entra ID (DefaultAzureCredential, user-assigned identity) in Azure. Each table is
 * created on first use, once per process.
 */
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { toStoreError } from './table-errors.js';
import type { PlatformConfig } from '../config/config.js';

export type TablesConnection = PlatformConfig['tables'];

export interface TableConnectionOptions {
  /** Prepended to every table name (letters and digits): tests give each test its own tables. */
  readonly tablePrefix?: string;
  /** Client id of the user-assigned identity, for endpoint connections. */
  readonly managedIdentityClientId?: string | undefined;
  /** Overrides DefaultAzureCredential for endpoint connections. */
  readonly credential?: TokenCredential;
}

/** A table client whose table is known to exist. */
export type TableGetter = () => Promise<TableClient>;

// Table names: 3–63 letters and digits, starting with a letter.
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

// Keyed by account and table, so that every store of the process shares one creation.
const created = new Map<string, Promise<void>>();

export function tableGetter(connection: TablesConnection, baseName: string, options: TableConnectionOptions = {}): TableGetter {
  const name = `${options.tablePrefix ?? ''}${baseName}`;
  if (!TABLE_NAME.test(name)) throw new Error(`Invalid table name "${name}": 3–63 letters and digits, starting with a letter`);
  const client = createClient(connection, name, options);
  const key = `${'connectionString' in connection ? accountOf(connection.connectionString) : connection.endpoint}|${name}`;
  return async () => {
    let creation = created.get(key);
    if (creation === undefined) {
      // createTable treats 409 TableAlreadyExists as success (data-tables errorHelpers.ts).
      creation = client.createTable().catch((error: unknown) => {
        created.delete(key);
        throw toStoreError(error, name, 'create table');
      });
      created.set(key, creation);
    }
    await creation;
    return client;
  };
}

function createClient(connection: TablesConnection, name: string, options: TableConnectionOptions): TableClient {
  if ('connectionString' in connection) {
    // Azurite listens on plain http; the SDK refuses to send shared-key requests there unless told.
    const insecure = /(TableEndpoint=http:|UseDevelopmentStorage=true)/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, name, { allowInsecureConnection: insecure });
  }
  const credential =
    options.credential ?? new DefaultAzureCredential({ managedIdentityClientId: options.managedIdentityClientId });
  return new TableClient(connection.endpoint, name, credential);
}

// The part of a connection string that names the account, without the key.
function accountOf(connectionString: string): string {
  return connectionString
    .split(';')
    .filter((part) => /^(AccountName|TableEndpoint|UseDevelopmentStorage)=/i.test(part))
    .join(';');
}
