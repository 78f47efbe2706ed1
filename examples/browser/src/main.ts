/** The demo page's entry point (bundled by build.mjs into dist/main.js). */
import { getBackendName } from 'minikeras';
import { setupXor } from './xor-demo';
import { setupMnist } from './mnist-demo';

setupXor();
setupMnist();
document.documentElement.dataset.ready = 'true';
console.info(`minikeras demo ready (kernels: ${getBackendName()})`);
