/**
 * Child-process entry that runs the fake dataset viewer (test/helpers/fake-viewer) on 127.0.0.1,
 * apart from the measured client and the driver. Options come as JSON in argv[2]; it speaks the
 * same IPC as bench/fake-server (bench/child-server.ts).
 */
import { startFakeViewer, type FakeViewerOptions } from '../test/helpers/fake-viewer.js';
import { serveOverIpc } from './child-server.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as FakeViewerOptions;
serveOverIpc<FakeViewerOptions>(await startFakeViewer(opts));
