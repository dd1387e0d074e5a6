import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { UsageError } from '../admin.ts';
import { REMOTE_COMMANDS, runCommand, type CommandContext } from '../commands.ts';
import { log } from '../log.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `POST /_closeloop/cli`: lets the CLI run admin commands through the server that holds the embedded
 * database. Loopback only, and only with the token the server wrote to its data folder at start.
 */
export function adminRoute(token: string, getCtx: () => CommandContext) {
  const expected = Buffer.from(token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.url !== '/_closeloop/cli') return false;
    const given = Buffer.from(String(req.headers['x-closeloop-admin'] ?? ''));
    const ok = req.method === 'POST' && LOOPBACK.has(req.socket.remoteAddress ?? '') &&
      given.length === expected.length && timingSafeEqual(given, expected);
    if (!ok) {
      res.writeHead(404).end();
      return true;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const { command, args } = JSON.parse(body) as { command: string; args: Record<string, string | boolean> };
      if (!REMOTE_COMMANDS.has(command)) throw new UsageError(`${command} cannot run through the server`);
      const result = await runCommand(getCtx(), command, args);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
    } catch (e) {
      const usage = e instanceof UsageError;
      if (!usage) log.error({ err: e }, 'CLI command relayed to the server failed');
      res.writeHead(usage ? 400 : 500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error: usage ? (e as Error).message : 'internal error' }));
    }
    return true;
  };
}
