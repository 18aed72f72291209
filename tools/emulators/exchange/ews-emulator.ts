/**
 * The EWS emulator whole, on loopback: the HTTPS front that IIS would be (NTLM bound to the
 * connection, Basic, Extended Protection; ews-emulator-server.ts) with the Exchange service behind
 * it (ews-service.ts) and its control. Point an Exchange profile's EWS URL at `url` and trust
 * `caCertificate`.
 */
import type { ExtendedProtection } from './ntlm-acceptor.js';
import { createEwsEmulator, type EwsEmulatorControl } from './ews-emulator-control.js';
import { startEwsServer, type EwsServer } from './ews-emulator-server.js';
import type { EwsServiceOptions } from './ews-service.js';

export interface EwsEmulatorOptions extends EwsServiceOptions {
  /** Account name (`DOMAIN\\user` or `user@domain`) → password. */
  readonly accounts: ReadonlyMap<string, string>;
  /** Allow by default: the setting Microsoft recommends for the EWS front end (EWS-FACTS §2, CSS-Exchange). */
  readonly extendedProtection?: ExtendedProtection;
  /** NTLM only by default, as an on-premises EWS virtual directory is set up. */
  readonly authentication?: readonly ('ntlm' | 'basic')[];
  readonly port?: number;
}

export interface RunningEwsEmulator {
  /** https://127.0.0.1:port/EWS/Exchange.asmx */
  readonly url: string;
  /** The PEM certificate a client must trust. */
  readonly caCertificate: string;
  /** Mailboxes, calendars, rights, faults and what was asked (ews-emulator-control.ts). */
  readonly control: EwsEmulatorControl;
  /**
   * The front: passwords, Extended Protection, and `strayUnauthorized(n)`, the 401 that also drops
   * the connection's login (the service's own `http401` fault leaves the login in place).
   */
  readonly server: EwsServer;
  close(): Promise<void>;
}

export async function startEwsEmulator(options: EwsEmulatorOptions): Promise<RunningEwsEmulator> {
  const emulator = createEwsEmulator(options);
  const server = await startEwsServer({
    accounts: options.accounts,
    extendedProtection: options.extendedProtection ?? 'allow',
    authentication: options.authentication ?? ['ntlm'],
    service: emulator.service,
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    url: server.url,
    caCertificate: server.caCertificate,
    control: emulator.control,
    server,
    close: async () => {
      // Ends push subscriptions (their timers) before the front goes.
      emulator.control.reset();
      await server.close();
    },
  };
}
