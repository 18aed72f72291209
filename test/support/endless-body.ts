/** A provider answer that never ends, for tests of the size caps: `head`, then `chunk` every millisecond until the client goes. */
import type { ServerResponse } from 'node:http';

export interface EndlessBody {
  /** Body bytes written so far (the head excluded). */
  sent: number;
  write(res: ServerResponse): void;
}

export function endlessBody(chunk: Buffer, head = ''): EndlessBody {
  const body: EndlessBody = {
    sent: 0,
    write(res) {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (head) res.write(head);
      const timer = setInterval(() => {
        if (res.destroyed) return void clearInterval(timer);
        res.write(chunk);
        body.sent += chunk.length;
      }, 1);
      res.on('close', () => clearInterval(timer));
    },
  };
  return body;
}
