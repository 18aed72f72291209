// Layer rules of ARCHITECTURE.md, checked by `npm run lint`: dependencies point inward.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'shared/domain holds pure rules: no I/O, no framework, nothing from the other layers. node:crypto (hashing) and zod (validation) are allowed.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: {
        pathNot: ['^shared/domain/', '^(node:)?crypto$', '^node_modules/zod/'],
      },
    },
    {
      name: 'shared-does-not-import-functions',
      comment: 'functions/ are adapters on top of shared/; never the other way round.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^functions/' },
    },
    {
      name: 'product-does-not-import-tools-or-tests',
      comment: 'Emulators, the dev host, benchmarks and tests are not part of what is deployed.',
      severity: 'error',
      from: { path: '^(shared|functions|cli)/' },
      to: { path: '^(tools|test|bench)/' },
    },
    {
      name: 'only-the-composition-root-knows-table-storage',
      comment: 'The use cases see the store through its neutral interfaces (shared/store/store.ts, *-repository.ts, concurrency-conflict.ts); the table-* adapters are wired in shared/app alone.',
      severity: 'error',
      from: { path: '^(shared|functions|cli)/', pathNot: '^shared/(store|app)/' },
      to: { path: '^shared/store/table-' },
    },
    {
      name: 'sync-does-not-import-operations',
      comment: 'What admins read (shared/operations) sits on top of the use cases, never under them.',
      severity: 'error',
      from: { path: '^shared/sync/' },
      to: { path: '^shared/operations/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mts', '.mjs'] },
  },
};
