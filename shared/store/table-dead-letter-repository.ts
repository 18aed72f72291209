import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseEntity } from './parse-entity.js';
import { toStoreError } from './table-errors.js';
import type { DeadLetter, DeadLetterRepository } from './dead-letter-repository.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'DeadLetters';
// Dead letters are rare: one partition, read newest first.
const PARTITION = 'dead-letters';
const MAX_TIME = 9_999_999_999_999;

const DeadLetterEntity = z.object({
  messageId: z.string(),
  mailboxKey: z.string().optional(),
  reason: z.string(),
  description: z.string(),
  deliveryCount: z.number().int(),
  at: z.string(),
});

export class TableDeadLetterRepository implements DeadLetterRepository {
  constructor(private readonly table: TableGetter) {}

  async add(deadLetter: DeadLetter): Promise<void> {
    const client = await this.table();
    // Row keys sort ascending: the inverted time puts the newest first; the message id's hash
    // makes a repeated record of one delivery replace itself.
    const inverted = String(MAX_TIME - Date.parse(deadLetter.at)).padStart(13, '0');
    const rowKey = `${inverted}-${createHash('sha256').update(deadLetter.messageId).digest('hex').slice(0, 16)}`;
    const { mailboxKey, ...fields } = deadLetter;
    try {
      await client.upsertEntity({ partitionKey: PARTITION, rowKey, ...fields, ...(mailboxKey === undefined ? {} : { mailboxKey }) }, 'Replace');
    } catch (error) {
      throw toStoreError(error, TABLE, `add ${deadLetter.messageId}`);
    }
  }

  async list(limit = 100): Promise<DeadLetter[]> {
    const client = await this.table();
    const out: DeadLetter[] = [];
    try {
      for await (const page of client.listEntities().byPage({ maxPageSize: Math.min(limit, 1000) })) {
        for (const entity of page) {
          const { mailboxKey, ...fields } = parseEntity(DeadLetterEntity, entity, TABLE);
          out.push({ ...fields, mailboxKey });
          if (out.length >= limit) return out;
        }
      }
    } catch (error) {
      throw toStoreError(error, TABLE, 'list');
    }
    return out;
  }
}
