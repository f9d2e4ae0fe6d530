/**
 * Child-process entry that runs the fake dataset viewer (test/helpers/fake-viewer) on 127.0.0.1,
 * apart from the measured client and the driver. Options come as JSON in argv[2]; it speaks the
 * same IPC as bench/fake-server (`ready`, then `counters`, `reset`, `close`).
 */
import { startFakeViewer, type FakeViewerOptions } from '../test/helpers/fake-viewer.js';

type Msg = { id: number; type: 'counters' | 'reset' | 'close' };

const opts = JSON.parse(process.argv[2] ?? '{}') as FakeViewerOptions;
const viewer = await startFakeViewer(opts);
const send = (m: unknown): void => {
  process.send?.(m);
};

process.on('message', (m: Msg) => {
  void (async () => {
    if (m.type === 'counters') {
      const cpu = process.cpuUsage();
      const log = viewer.requests;
      send({ id: m.id, counters: viewer.counters, cpuMs: (cpu.user + cpu.system) / 1000, firstAt: log[0]?.at ?? null, lastAt: log.at(-1)?.at ?? null });
    } else if (m.type === 'reset') {
      viewer.resetCounters();
      send({ id: m.id });
    } else if (m.type === 'close') {
      await viewer.close();
      send({ id: m.id });
      process.disconnect();
    }
  })();
});
process.on('disconnect', () => {
  void viewer.close().finally(() => process.exit(0));
});
send({ type: 'ready', url: viewer.url });
