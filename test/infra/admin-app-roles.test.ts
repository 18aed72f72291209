/** The app roles an operator creates from infra/admin-app-roles.json are the ones the admin API checks. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPERATOR_ROLE, READER_ROLE } from '../../shared/auth/admin-caller.js';

const AppRole = z.object({
  id: z.uuid(),
  allowedMemberTypes: z.array(z.enum(['User', 'Application'])).min(1),
  displayName: z.string().min(1),
  description: z.string().min(1),
  isEnabled: z.literal(true),
  value: z.string().regex(/^[A-Za-z0-9.]+$/),
});

describe('admin app roles', () => {
  it('when infra/admin-app-roles.json is read, then it holds exactly the reader and operator roles, enabled, with distinct ids', () => {
    const roles = z.array(AppRole).parse(JSON.parse(readFileSync(join(process.cwd(), 'infra', 'admin-app-roles.json'), 'utf8')));
    expect(roles.map((r) => r.value).sort()).toEqual([OPERATOR_ROLE, READER_ROLE].sort());
    expect(new Set(roles.map((r) => r.id)).size).toBe(roles.length);
  });
});
