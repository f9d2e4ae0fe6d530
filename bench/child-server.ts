/**
 * The IPC a fake server in a benchmark's child process speaks to the driver (bench/fake-process):
 * `ready` with its url, then answers `counters`, `reset`, `set` (options) and `close` requests, and
 * exits when the driver goes away. Shared by bench/fake-server (the Hub) and bench/fake-viewer-server.
 */
export interface ChildServer<O> {
  url: string;
  requests: Array<{ at: number }>;
  counters: unknown;
  setOptions(patch: Partial<O>): void;
  resetCounters(): void;
  close(): Promise<void>;
}

type Msg<O> = { id: number; type: 'counters' | 'reset' | 'close' | 'set'; options?: Partial<O> };

export function serveOverIpc<O>(server: ChildServer<O>): void {
  const send = (m: unknown): void => {
    process.send?.(m);
  };
  process.on('message', (m: Msg<O>) => {
    void (async () => {
      if (m.type === 'counters') {
        const cpu = process.cpuUsage();
        const log = server.requests;
        send({ id: m.id, counters: server.counters, cpuMs: (cpu.user + cpu.system) / 1000, firstAt: log[0]?.at ?? null, lastAt: log.at(-1)?.at ?? null });
      } else if (m.type === 'set') {
        server.setOptions(m.options ?? {});
        send({ id: m.id });
      } else if (m.type === 'reset') {
        server.resetCounters();
        send({ id: m.id });
      } else if (m.type === 'close') {
        await server.close();
        send({ id: m.id });
        process.disconnect();
      }
    })();
  });
  process.on('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
  send({ type: 'ready', url: server.url });
}
