/**
 * Connection profiles → calendar providers. A profile's provider is built once per process
 * (it holds the token cache); the order of profiles for a domain is the PROFILES order, with
 * the one that last worked for the mailbox first (MAPPING.md 7: failover between systems).
 */
import type { Profile } from '../config/profile-settings.js';
import type { CalendarProvider } from '../providers/calendar-provider.js';

export type ProviderFactory = (profile: Profile) => CalendarProvider;

export interface ProviderRegistry {
  /** Lower-case domains some profile serves. */
  readonly servedDomains: ReadonlySet<string>;
  /** Providers that serve the domain, the remembered profile first. */
  candidatesFor(domain: string, remembered?: string): CalendarProvider[];
  /** Every profile's provider (admin: check connections; subscriptions). */
  all(): CalendarProvider[];
  byName(profileName: string): CalendarProvider | undefined;
}

export function createProviderRegistry(profiles: readonly Profile[], factory: ProviderFactory): ProviderRegistry {
  const built = new Map<string, CalendarProvider>();
  const providerOf = (profile: Profile): CalendarProvider => {
    let provider = built.get(profile.name);
    if (!provider) {
      provider = factory(profile);
      built.set(profile.name, provider);
    }
    return provider;
  };
  const servedDomains = new Set(profiles.flatMap((p) => p.domains.map((d) => d.toLowerCase())));
  return {
    servedDomains,
    candidatesFor(domain, remembered) {
      const serving = profiles.filter((p) => p.domains.includes(domain.toLowerCase()));
      const ordered = [...serving.filter((p) => p.name === remembered), ...serving.filter((p) => p.name !== remembered)];
      return ordered.map(providerOf);
    },
    all: () => profiles.map(providerOf),
    byName(name) {
      const profile = profiles.find((p) => p.name === name);
      return profile ? providerOf(profile) : undefined;
    },
  };
}
