/**
 * PartitionKey and RowKey values may not contain `/ \ # ?` nor control characters
 * (U+0000–U+001F, U+007F–U+009F), and `%` and `'` trip up some clients and OData filters
 * (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#characters-disallowed-in-key-fields).
 * Keys from outside (CMG user ids, externalIds, subscription ids) are therefore escaped:
 * every UTF-8 byte outside a small safe set becomes `!XX`. Usual ids (letters, digits, `-_.`)
 * are stored unchanged, so the table stays readable in Storage Explorer.
 */
const SAFE = /^[A-Za-z0-9\-_.~@:=+,;]$/;
const ESCAPED = /!([0-9A-F]{2})/g;

export function encodeKey(value: string): string {
  let out = '';
  for (const char of value) {
    if (SAFE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += '!' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function decodeKey(key: string): string {
  if (!key.includes('!')) return key;
  const bytes: number[] = [];
  let last = 0;
  for (const match of key.matchAll(ESCAPED)) {
    bytes.push(...Buffer.from(key.slice(last, match.index), 'utf8'));
    bytes.push(parseInt(match[1]!, 16));
    last = match.index + match[0].length;
  }
  bytes.push(...Buffer.from(key.slice(last), 'utf8'));
  return Buffer.from(bytes).toString('utf8');
}
