/**
 * Child-process entry that runs the project's fake Hub (test/helpers/fake-hub) on 127.0.0.1, so
 * its CPU and memory are apart from the measured client and from the driver. Options come as
 * JSON in argv[2]; it talks to the driver over IPC (bench/child-server.ts).
 */
import { startFakeHub, type FakeHubOptions } from '../test/helpers/fake-hub.js';
import { serveOverIpc } from './child-server.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as FakeHubOptions;
serveOverIpc<FakeHubOptions>(await startFakeHub(opts));
