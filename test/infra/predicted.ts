/**
 * Reading what `bicep snapshot` predicts: resources by type, the function app's settings, and the
 * values only the deployment itself can know, which the snapshot leaves as ARM expressions
 * (`[reference(...)]`, `[... environment() ...]`).
 */
import type { PredictedResource, Snapshot } from './bicep.js';

export const isExpression = (value: unknown): value is string => typeof value === 'string' && value.startsWith('[') && value.endsWith(']');

export function ofType(snapshot: Snapshot, type: string): PredictedResource[] {
  return snapshot.predictedResources.filter((r) => r.type === type);
}

export function one(snapshot: Snapshot, type: string): PredictedResource {
  const found = ofType(snapshot, type);
  if (found.length !== 1) throw new Error(`${found.length} resources of type ${type}, not one`);
  return found[0]!;
}

/** The function app's settings (the `appsettings` config of the site), by name. */
export function appSettingsOf(snapshot: Snapshot): Record<string, string> {
  const config = ofType(snapshot, 'Microsoft.Web/sites/config').find((r) => r.name.endsWith('/appsettings'));
  if (!config) throw new Error('no appsettings config in the snapshot');
  return config.properties as Record<string, string>;
}

/**
 * A versionless Key Vault reference as the snapshot shows it: the vault's DNS suffix comes from
 * environment() (sovereign clouds differ), which only the deployment evaluates.
 */
const REFERENCE = /^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}secrets\/\{1\}\/\)', format\('https:\/\/\{0\}\{1\}\/', '([a-z0-9-]+)', environment\(\)\.suffixes\.keyvaultDns\), '([a-z0-9-]+)'\)\]$/;

export function keyVaultReference(value: string): { vault: string; secret: string } | undefined {
  const m = REFERENCE.exec(value);
  return m ? { vault: m[1]!, secret: m[2]! } : undefined;
}

/** The reference as App Service reads it, in the public cloud. */
export const publicCloudReference = (r: { vault: string; secret: string }) => `@Microsoft.KeyVault(SecretUri=https://${r.vault}.vault.azure.net/secrets/${r.secret}/)`;

/** The resource id a `[reference('<id>', '<api>')...]` expression reads, if it is one. */
export function referencedId(value: string): string | undefined {
  return /reference\('([^']+)', '[^']+'\)/.exec(value)?.[1];
}

export function resourceGroupId(snapshot: Snapshot): string {
  return one(snapshot, 'Microsoft.Resources/resourceGroups').id;
}

/** The id of the one resource of `type` in the snapshot. */
export const idOf = (snapshot: Snapshot, type: string) => one(snapshot, type).id;
