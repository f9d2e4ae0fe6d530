/**
 * Child-process entry that runs the project's fake Hub (test/helpers/fake-hub) on 127.0.0.1, so
 * its CPU and memory are apart from the measured client and from the driver. Options come as
 * JSON in argv[2]; it talks to the driver over IPC: `ready` → then answers `counters`, `reset`,
 * `close` and `set` (options) requests. It exits when the driver goes away.
 */
import { startFakeHub, type FakeHubOptions } from '../test/helpers/fake-hub.js';

type Msg = { id: number; type: 'counters' | 'reset' | 'close' | 'set'; options?: Partial<FakeHubOptions> };

const opts = JSON.parse(process.argv[2] ?? '{}') as FakeHubOptions;
const hub = await startFakeHub(opts);
const send = (m: unknown): void => {
  process.send?.(m);
};

process.on('message', (m: Msg) => {
  void (async () => {
    if (m.type === 'counters') {
      const cpu = process.cpuUsage();
      const log = hub.requests;
      send({ id: m.id, counters: hub.counters, cpuMs: (cpu.user + cpu.system) / 1000, firstAt: log[0]?.at ?? null, lastAt: log.at(-1)?.at ?? null });
    } else if (m.type === 'set') {
      hub.setOptions(m.options ?? {});
      send({ id: m.id });
    } else if (m.type === 'reset') {
      hub.resetCounters();
      send({ id: m.id });
    } else if (m.type === 'close') {
      await hub.close();
      send({ id: m.id });
      process.disconnect();
    }
  })();
});
process.on('disconnect', () => {
  void hub.close().finally(() => process.exit(0));
});
send({ type: 'ready', url: hub.url });
