/**
 * The functions the app registers, read the way the host learns them: the @azure/functions v4
 * programming model registers a function when its file is imported (`app.http(…)`,
 * `app.timer(…)`, …). Every registration method of `app` is replaced by a recorder while
 * functions/*.ts are imported. Unlike the dev host's capture (tools/dev-host/functions-host.ts),
 * which keeps only the kinds it serves, every kind is recorded, so none goes uncounted.
 */
import functions from '@azure/functions';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Registration {
  /** The `app` method called: http, timer, serviceBusQueue, … */
  readonly kind: string;
  readonly name: string;
  /** HTTP only: the route under /api (the name when none is given) and the methods. */
  readonly route?: string;
  readonly methods?: readonly string[];
}

const FUNCTIONS = resolve(import.meta.dirname, '..', '..', 'functions');

/** A module runs once per process: the first capture is the only one that sees the calls. */
let captured: Promise<Registration[]> | undefined;

async function capture(): Promise<Registration[]> {
  const { app } = functions;
  const methods = app as unknown as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  const registrations: Registration[] = [];
  for (const [kind, method] of Object.entries(methods)) {
    // `setup` configures the worker; it registers nothing.
    if (typeof method !== 'function' || kind === 'setup') continue;
    saved[kind] = method;
    methods[kind] = (name: string, options: { route?: string; methods?: string[] } = {}) =>
      void registrations.push(kind === 'http' ? { kind, name, route: options.route ?? name, methods: options.methods ?? ['GET', 'POST'] } : { kind, name });
  }
  try {
    for (const file of readdirSync(FUNCTIONS).filter((f) => f.endsWith('.ts')).sort()) await import(pathToFileURL(join(FUNCTIONS, file)).href);
  } finally {
    Object.assign(methods, saved);
  }
  return registrations;
}

/** Every function functions/*.ts register, in file order. */
export function registeredFunctions(): Promise<Registration[]> {
  captured ??= capture();
  return captured;
}
