import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route handler on the shared HTTP server. It must answer `res` and never throw past itself. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** The shared server as seen by adapters: they mount their routes (POST /slack/events, POST /api/messages). */
export interface HttpRoutes {
  mount(method: 'GET' | 'POST', path: string, handler: RouteHandler): void;
}
