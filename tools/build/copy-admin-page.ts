/**
 * `npm run build`, after tsc: the admin page's files beside its compiled module, which reads
 * them at start-up (shared/admin-page/admin-page.ts). tsc copies no .html, .css or plain .js.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../../../shared/admin-page/', import.meta.url);
const target = new URL('../../shared/admin-page/', import.meta.url);
mkdirSync(fileURLToPath(target), { recursive: true });
for (const name of ['admin.html', 'admin.css', 'admin.js']) copyFileSync(new URL(name, source), new URL(name, target));
